import type { Readable } from 'node:stream';
import { passwordEnv, type DatabaseTarget } from '../backup/dump-database.js';
import { execInContainer } from '../docker/exec-in-container.js';
import { OperationError } from '../operation-error.js';

/** A database identifier, double-quoted for SQL. Names reaching here match POSTGRES_DB's pattern, so no quote can occur. */
function quoted(name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new OperationError('database', `refusing an unexpected database name "${name}"`);
  return `"${name}"`;
}

/** Rows inserted, updated and deleted in a database since its statistics began (PostgreSQL's cumulative counters). */
export interface WriteCounters {
  inserted: number;
  updated: number;
  deleted: number;
}

const WRITE_COUNTERS = (name: string) =>
  `SELECT tup_inserted || ' ' || tup_updated || ' ' || tup_deleted FROM pg_stat_database WHERE datname = ${literal(name)}`;

function parseCounters(line: string | undefined): WriteCounters | null {
  const [inserted, updated, deleted] = (line ?? '').split(' ').map(Number);
  if (![inserted, updated, deleted].every((n) => Number.isFinite(n))) return null;
  return { inserted: inserted!, updated: updated!, deleted: deleted! };
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Administration of the databases of the PostgreSQL server, by `psql` and
 * `pg_restore` run in the DB container (whose tools match the server),
 * connected to the `postgres` maintenance database so that the Odoo database
 * itself can be renamed or dropped. Every failure is an OperationError
 * ('database') with the tool's own message.
 */
export class DatabaseAdmin {
  private readonly stage = 'database';

  constructor(private readonly target: DatabaseTarget) {}

  /**
   * Runs SQL (stopping at the first error) and returns psql's unaligned output
   * lines. Several commands run one after another in one psql, each in its own
   * transaction (statements inside one command share a transaction).
   */
  async sql(commands: string | string[]): Promise<string[]> {
    const container = await this.target.stack.runningContainer(this.target.dbService);
    const args = [commands].flat().flatMap((command) => ['-c', command]);
    const result = await execInContainer(container, ['psql', '-U', this.target.user, '-d', 'postgres', '-AtX', '-v', 'ON_ERROR_STOP=1', ...args], {
      env: passwordEnv(this.target),
    });
    if (result.exitCode !== 0) throw new OperationError(this.stage, `PostgreSQL refused: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`);
    return result.stdout.split('\n').filter((line) => line !== '');
  }

  /** Names of all databases on the server. */
  async databases(): Promise<string[]> {
    return this.sql('SELECT datname FROM pg_database ORDER BY datname');
  }

  /** Size in bytes of `name`, or null when it does not exist. */
  async sizeOf(name: string): Promise<number | null> {
    const [size] = await this.sql(`SELECT pg_database_size(datname) FROM pg_database WHERE datname = ${literal(name)}`);
    return size === undefined ? null : Number(size);
  }

  /**
   * Creates the empty database `name` from template0, owned by POSTGRES_USER,
   * with the encoding and locale of `like` when that database exists (so the
   * restored copy sorts and compares text as the live one did).
   */
  async createEmpty(name: string, like: string): Promise<void> {
    const [settings] = await this.sql(
      `SELECT pg_encoding_to_char(encoding) || '|' || datcollate || '|' || datctype FROM pg_database WHERE datname = ${literal(like)}`,
    );
    const [encoding, collate, ctype] = settings?.split('|') ?? [];
    const locale = encoding ? ` ENCODING ${literal(encoding)} LC_COLLATE ${literal(collate!)} LC_CTYPE ${literal(ctype!)}` : '';
    await this.sql(`CREATE DATABASE ${quoted(name)} TEMPLATE template0${locale} OWNER ${quoted(this.target.user)}`);
  }

  /** The comment on database `name` (COMMENT ON DATABASE), or null when it has none or does not exist. */
  async comment(name: string): Promise<string | null> {
    const [text] = await this.sql(`SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = ${literal(name)}`);
    return text ? text : null;
  }

  /** Sets the comment on database `name`: metadata that lives and goes with the database itself. */
  async setComment(name: string, text: string): Promise<void> {
    await this.sql(`COMMENT ON DATABASE ${quoted(name)} IS ${literal(text)}`);
  }

  /** Drops `name` if it exists, closing its connections first. */
  async drop(name: string): Promise<void> {
    await this.sql(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`);
  }

  /**
   * The write counters of `name` (pg_stat_database: rows inserted, updated,
   * deleted; counted when each transaction's statistics are flushed, about once
   * a second, and at the latest when its connection ends), or null when it does
   * not exist. Read-only.
   */
  async writeCounters(name: string): Promise<WriteCounters | null> {
    return parseCounters((await this.sql(WRITE_COUNTERS(name)))[0]);
  }

  /**
   * Renames databases, all or none (one transaction), after closing every other
   * connection to them (a rename needs the database idle), waiting up to 5 s
   * for each to end: e.g. the live one to its `_before_` name and the restored
   * copy to the live name, in one step. With `countWritesOf`, that database's
   * write counters are read after its connections ended (so every write they
   * made is counted) and before the rename, and returned. Retried briefly: a
   * client may connect between closing and renaming.
   */
  async renameAll(renames: Array<[from: string, to: string]>, options: { countWritesOf?: string } = {}): Promise<WriteCounters | null> {
    const names = renames.map(([from]) => literal(from)).join(', ');
    const alter = renames.map(([from, to]) => `ALTER DATABASE ${quoted(from)} RENAME TO ${quoted(to)};`).join(' ');
    const count = options.countWritesOf ? [WRITE_COUNTERS(options.countWritesOf)] : [];
    for (let attempt = 1; ; attempt++) {
      try {
        const lines = await this.sql([
          `SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname IN (${names}) AND pid <> pg_backend_pid()`,
          ...count,
          alter,
        ]);
        return options.countWritesOf ? parseCounters(lines[1]) : null;
      } catch (error) {
        if (attempt >= 10 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /**
   * Restores a `pg_dump -Fc` stream into the existing empty database `name`:
   * `pg_restore --no-owner --no-privileges --exit-on-error`, so every object
   * belongs to POSTGRES_USER and the first SQL error stops it (unlike Odoo's
   * own database manager). Throws with pg_restore's last error lines.
   */
  async restoreDump(name: string, dump: Readable): Promise<void> {
    const container = await this.target.stack.runningContainer(this.target.dbService);
    const result = await execInContainer(
      container,
      ['pg_restore', '--no-owner', '--no-privileges', '--exit-on-error', '-U', this.target.user, '-d', name],
      { stdin: dump, env: passwordEnv(this.target) },
    );
    if (result.exitCode !== 0) {
      // DETAIL lines quote the failing row: company data, not for a Slack channel.
      const lines = result.stderr.trim().split('\n').filter((line) => !/^\s*DETAIL:/.test(line));
      const detail = lines.slice(-3).join(' ') || 'no error output';
      throw new OperationError(this.stage, `pg_restore exited with code ${result.exitCode}: ${detail}`);
    }
  }

  /** Free bytes on the file system holding the server's data directory. */
  async freeBytes(): Promise<number> {
    const [dataDirectory] = await this.sql('SHOW data_directory');
    const container = await this.target.stack.runningContainer(this.target.dbService);
    const result = await execInContainer(container, ['df', '-Pk', dataDirectory!]);
    const available = Number(result.stdout.trim().split('\n').at(-1)?.split(/\s+/)[3]);
    if (result.exitCode !== 0 || !Number.isFinite(available)) throw new OperationError(this.stage, `cannot read the free space of ${dataDirectory}: ${result.stderr.trim()}`);
    return available * 1024;
  }
}
