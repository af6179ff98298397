import { PassThrough, Writable } from 'node:stream';
import { execInContainer, type ExecResult } from '../docker/exec-in-container.js';
import { passwordEnv, type DatabaseTarget } from '../backup/dump-database.js';
import { OperationError } from '../operation-error.js';

/** Separates the fields of a row in the session's output (never in identifiers or counts). */
const FIELD_SEPARATOR = '\x1f';

interface Pending {
  marker: string;
  rows: string[];
  resolve: (rows: string[][]) => void;
  reject: (error: Error) => void;
}

/**
 * One psql session in the DB container holding a REPEATABLE READ, READ ONLY
 * transaction whose snapshot it exported (`pg_export_snapshot()`): pg_dump
 * given `--snapshot=<snapshotId>` dumps exactly what `query` sees, so the row
 * counts and any other check run here describe the dump, whatever Odoo writes
 * meanwhile. The snapshot is valid only while the session is open: `close()`
 * (idempotent; register it on the cleanup stack) ends the transaction.
 *
 * Queries run one at a time, in order; a failing query (psql runs with
 * ON_ERROR_STOP) ends the session and rejects with the server's message.
 * Values must not contain newlines (select counts, names, hashes, or JSON).
 */
export class SnapshotSession {
  readonly snapshotId: string;
  private readonly stdin: PassThrough;
  private readonly done: Promise<ExecResult | Error>;
  private readonly pending: Pending[];
  private sequence = 0;
  private closed = false;

  private constructor(snapshotId: string, stdin: PassThrough, done: Promise<ExecResult | Error>, pending: Pending[]) {
    this.snapshotId = snapshotId;
    this.stdin = stdin;
    this.done = done;
    this.pending = pending;
  }

  /** Opens the session on `target.database` and exports its snapshot; throws OperationError('dump') when it cannot. */
  static async open(target: DatabaseTarget): Promise<SnapshotSession> {
    const container = await target.stack.runningContainer(target.dbService);
    const stdin = new PassThrough();
    const pending: Pending[] = [];
    let buffered = '';
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        buffered += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          const current = pending[0];
          if (!current) continue;
          if (line === current.marker) {
            pending.shift();
            current.resolve(current.rows.map((row) => row.split(FIELD_SEPARATOR)));
          } else current.rows.push(line);
        }
        callback();
      },
    });
    const cmd = ['psql', '-U', target.user, '-d', target.database, '-AtqX', '-F', FIELD_SEPARATOR, '-v', 'ON_ERROR_STOP=1'];
    const done = execInContainer(container, cmd, { stdin, stdout, env: passwordEnv(target) }).then(
      (result) => result,
      (error: Error) => error,
    );
    // The session ending (closed, or psql stopping on an error) settles whatever still waits.
    void done.then((result) => {
      const reason =
        result instanceof Error
          ? result.message
          : `the snapshot session ended (psql exit code ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-2).join(' ') || 'no error output'}`;
      for (const waiting of pending.splice(0)) waiting.reject(new OperationError('dump', reason));
    });
    const session = new SnapshotSession('', stdin, done, pending);
    try {
      const [[id]] = (await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot()')) as [[string]];
      if (!/^[0-9A-F-]+$/i.test(id ?? '')) throw new OperationError('dump', `pg_export_snapshot() answered ${JSON.stringify(id)}`);
      (session as { snapshotId: string }).snapshotId = id;
      return session;
    } catch (error) {
      await session.close();
      throw error instanceof OperationError ? error : new OperationError('dump', `cannot export a snapshot: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Runs `sql` (one or more statements) in the snapshot; resolves with the rows of its output, fields split. */
  query(sql: string): Promise<string[][]> {
    if (this.closed) return Promise.reject(new OperationError('dump', 'the snapshot session is closed'));
    const marker = `__odoo_ops_end_${process.pid}_${++this.sequence}__`;
    return new Promise((resolve, reject) => {
      this.pending.push({ marker, rows: [], resolve, reject });
      this.stdin.write(`${sql.trim().replace(/;$/, '')};\n\\echo ${marker}\n`);
    });
  }

  /** Ends the transaction and the session (the snapshot is gone afterwards). Never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.end('ROLLBACK;\n\\q\n');
    await this.done;
  }
}

/** What the manifest (format 2) says about the dump's content, counted in its snapshot. */
export interface SnapshotFacts {
  /** Rows of every table (`schema.table`, leaf tables and partitions), in the dump's snapshot. */
  tables: Record<string, number>;
  /** Odoo's ir_attachment: all rows, and the distinct filestore files they refer to; null when the database has no ir_attachment. */
  attachments: { rows: number; files: number } | null;
}

// One statement: the count of every ordinary table, each with `FROM ONLY` so a
// row of a partitioned table is counted once, in its partition (as pg_dump dumps it).
export const COUNT_EVERY_TABLE = `SELECT n.nspname || '.' || c.relname,
  (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM ONLY %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY 1`;

/**
 * The row count of every table and the attachment figures, read in `session`'s
 * snapshot (full scans: exact, not the planner's estimates). No side effects.
 */
export async function snapshotFacts(session: SnapshotSession): Promise<SnapshotFacts> {
  const tables: Record<string, number> = {};
  for (const [name, count] of await session.query(COUNT_EVERY_TABLE)) tables[name!] = Number(count);
  const hasAttachments = (await session.query("SELECT to_regclass('public.ir_attachment') IS NOT NULL"))[0]?.[0] === 't';
  let attachments: SnapshotFacts['attachments'] = null;
  if (hasAttachments) {
    const [[rows, files]] = (await session.query('SELECT count(*), count(DISTINCT store_fname) FROM public.ir_attachment')) as [[string, string]];
    attachments = { rows: Number(rows), files: Number(files) };
  }
  return { tables, attachments };
}
