import { Transform, type TransformCallback } from 'node:stream';

/** A line longer than this outside the rows we want is skipped unread (bytea rows can be megabytes). */
const MAX_KEPT_LINE = 64 * 1024;

/**
 * Passes a plain-SQL dump through unchanged while reading two facts from it
 * with bounded memory: the server version in pg_dump's header ("-- Dumped from
 * database version 15.14") and the installed modules from the rows of `COPY
 * public.ir_module_module` — for archives of the old scripts, whose
 * manifest-less archives never recorded them.
 */
export class DumpSqlTap extends Transform {
  dumpedFrom: string | null = null;
  readonly modules: Record<string, string | null> = {};
  sawModuleTable = false;
  private partial = '';
  private skipping = false;
  private columns: string[] | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.scan(chunk.toString('latin1'));
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.partial) this.line(this.partial);
    done();
  }

  private scan(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      if (!this.skipping) this.line(this.partial + piece);
      this.partial = '';
      this.skipping = false;
      start = nl + 1;
    }
    if (this.skipping) return;
    this.partial += text.slice(start);
    if (this.partial.length > MAX_KEPT_LINE && !this.columns) {
      this.partial = '';
      this.skipping = true;
    }
  }

  private line(raw: string): void {
    const line = Buffer.from(raw, 'latin1').toString('utf8');
    if (this.columns) {
      if (line === '\\.') {
        this.columns = null;
        return;
      }
      const values = line.split('\t');
      const get = (column: string) => {
        const value = values[this.columns!.indexOf(column)];
        return value === undefined || value === '\\N' ? null : value;
      };
      const name = get('name');
      if (name && get('state') === 'installed') this.modules[name] = get('latest_version');
      return;
    }
    if (this.dumpedFrom === null) {
      const version = /^-- Dumped from database version (\S+)/.exec(line);
      if (version) this.dumpedFrom = version[1]!;
    }
    const copy = /^COPY (?:public\.)?ir_module_module \(([^)]*)\) FROM stdin;$/.exec(line);
    if (copy) {
      this.sawModuleTable = true;
      this.columns = copy[1]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    }
  }
}
