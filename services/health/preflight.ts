import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DatabaseTarget } from '../backup/dump-database.js';
import { execInContainer } from '../docker/exec-in-container.js';
import { describeWhere, type ResolvedScope, type StackContainers } from '../docker/stack-containers.js';
import { OperationError } from '../operation-error.js';
import type { LocalBackend } from '../storage/local-backend.js';
import { listBackups } from '../storage/backup-catalog.js';
import { foreignBackups, foreignWritersWarning, writerIdentity } from '../storage/foreign-writers.js';
import type { StorageBackend } from '../storage/storage-backend.js';
import { freeBytesAt } from '../free-space.js';
import { runProbe } from './run-probe.js';
import { describeFetchError } from './describe-fetch-error.js';

/** One line of `odoo-ops doctor`: what was checked, what was found, and what to do when it failed. */
export interface CheckResult {
  name: string;
  state: 'pass' | 'fail' | 'skip';
  /** What was found, one short sentence; no secret. */
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

export interface PreflightOptions {
  stack: StackContainers;
  database: DatabaseTarget;
  odooUrl: string;
  backupDir: string;
  local: LocalBackend;
  /** Null when R2 is not configured. */
  r2: { client: S3Client; bucket: string; prefix: string } | null;
  /** The same bucket as a backup store, to tell another server's backups under the prefix from ours. */
  r2Backend?: StorageBackend | null;
  /** Deadline of each check. */
  timeoutMs?: number;
}

/** Free space BACKUP_DIR needs at the least, with no backup to size the next one by. */
const MIN_FREE_BYTES = 512 * 1024 * 1024;
const GIB = 1024 ** 3;

const execFileAsync = promisify(execFile);
const pass = (name: string, detail: string): CheckResult => ({ name, state: 'pass', detail });
const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, state: 'fail', detail, fix });

/** Which compose project doctor found the containers in, and why that one. */
function describeScope(scope: ResolvedScope): string {
  switch (scope.source) {
    case 'setting':
      return `compose project "${scope.project}" (from COMPOSE_PROJECT)`;
    case 'own-container':
      return `compose project "${scope.project}" (that of odoo-ops' own container ${scope.containerName})`;
    case 'only-project':
      return scope.project === null ? 'containers without a compose project (the only ones with odoo and db)' : `compose project "${scope.project}" (the only one with odoo and db containers)`;
    case 'none-found':
      return 'no compose project found';
  }
}

/** The S3 error code or HTTP status worth telling an operator, else the message. */
function describeS3Error(error: unknown): string {
  const e = error as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const code = e.Code ?? e.name;
  if (code && code !== 'Error' && code !== 'UnknownError') return status ? `${code} (HTTP ${status})` : code;
  return e.message ?? String(error);
}

/**
 * The checks behind `odoo-ops doctor`, each with its own deadline, none of
 * which changes anything lasting: it inspects the odoo and db containers, runs
 * `pg_dump --schema-only` in the db container (output discarded there), calls
 * Odoo's `/web/health`, writes and removes a probe file in BACKUP_DIR, and
 * writes, reads back and deletes a probe object `<prefix>.odoo-ops-doctor-<random>` in R2.
 */
export class Preflight {
  private readonly timeoutMs: number;

  constructor(private readonly options: PreflightOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** Every check at once, in a fixed order. Never rejects. */
  async run(): Promise<CheckResult[]> {
    return Promise.all([
      this.guard('docker', () => this.containers()),
      this.guard('pg_dump', () => this.pgDump()),
      this.guard('pg_restore', () => this.pgRestore()),
      this.guard('odoo', () => this.odoo()),
      this.guard('backup dir', () => this.backupDir()),
      this.guard('R2', () => this.r2()),
    ]);
  }

  /** Runs one check under the deadline; a hang or an unexpected error becomes a failure with `fix`. */
  private async guard(name: string, check: () => Promise<CheckResult>): Promise<CheckResult> {
    const result = await runProbe(check, this.timeoutMs);
    if (result.ok) return result.value;
    return fail(name, result.message, 'see the message; run `odoo-ops doctor` again once fixed');
  }

  /** The docker check: the compose project in use and how it was chosen, then the odoo and db containers in it. */
  private async containers(): Promise<CheckResult> {
    const { stack } = this.options;
    let scope: ResolvedScope;
    let found;
    try {
      scope = await stack.resolve();
      found = await stack.list();
    } catch (error) {
      if (error instanceof OperationError) {
        return fail('docker', error.userMessage, 'set COMPOSE_PROJECT in .env to the project of this stack (by default the name of the directory of docker-compose.yml, lowercase; see `docker-compose ps`)');
      }
      return fail('docker', `cannot reach Docker: ${(error as Error).message}`, 'check DOCKER_HOST and that the Docker engine (or the socket proxy) is running');
    }
    const where = describeWhere(scope);
    const wanted = [stack.scope.dbService, stack.scope.odooService];
    const problems: string[] = [];
    const seen: string[] = [];
    for (const service of wanted) {
      const c = found.find((s) => s.service === service);
      if (!c) problems.push(`no container for service "${service}"${where}`);
      else if (c.state !== 'running') problems.push(`${service} (${c.name}) is ${c.state}`);
      else seen.push(`${service} ${c.state}${c.health === 'none' ? '' : `, ${c.health}`}`);
    }
    if (problems.length > 0) {
      return fail(
        'docker',
        problems.join('; '),
        'start the stack (`docker-compose up -d`); check DB_SERVICE, ODOO_SERVICE and COMPOSE_PROJECT against `docker-compose ps`',
      );
    }
    return pass('docker', `reachable; ${describeScope(scope)}; ${seen.join('; ')}`);
  }

  private async pgDump(): Promise<CheckResult> {
    const db = this.options.database;
    let container;
    try {
      container = await db.stack.runningContainer(db.dbService);
    } catch (error) {
      return fail('pg_dump', (error as Error).message, `start the ${db.dbService} container (\`docker-compose up -d ${db.dbService}\`)`);
    }
    const env = db.password ? [`PGPASSWORD=${db.password}`] : undefined;
    const version = await execInContainer(container, ['pg_dump', '--version'], { env });
    if (version.exitCode !== 0) {
      return fail('pg_dump', `pg_dump cannot run in the ${db.dbService} container (exit ${version.exitCode})`, 'the db service must run the postgres:15 image, which has pg_dump');
    }
    // A real dump of the schema, discarded inside the container: proves the credentials and the database.
    const dump = await execInContainer(container, ['pg_dump', '--schema-only', '-U', db.user, '-d', db.database, '-f', '/dev/null'], { env });
    if (dump.exitCode !== 0) {
      const detail = dump.stderr.trim().split('\n').slice(-1)[0] || `exit code ${dump.exitCode}`;
      return fail('pg_dump', `pg_dump of "${db.database}" failed: ${detail}`, 'check POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB (the database Odoo uses)');
    }
    return pass('pg_dump', `${version.stdout.trim()} dumps "${db.database}" as ${db.user}`);
  }

  /** The PostgreSQL client beside odoo-ops: restores and `verify` read every dump with `pg_restore --list` before trusting it. */
  private async pgRestore(): Promise<CheckResult> {
    try {
      const { stdout } = await execFileAsync('pg_restore', ['--version']);
      return pass('pg_restore', `${stdout.trim()} (verifies dumps before a restore)`);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return fail(
        'pg_restore',
        missing ? 'pg_restore is not installed beside odoo-ops: restores and `odoo-ops verify` cannot check a dump' : (error as Error).message,
        'install the PostgreSQL 15 client tools (Debian: apt-get install postgresql-client-15); the odoo-ops image has them',
      );
    }
  }

  private async odoo(): Promise<CheckResult> {
    const url = new URL('/web/health', this.options.odooUrl);
    const fix = 'check ODOO_URL (from the bot container: http://odoo:8069) and `docker-compose logs odoo`';
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs - 1000), redirect: 'manual' });
      const body = await response.text();
      if (response.status === 200 && body.includes('pass')) return pass('odoo', `${url.href} answers ${body.trim()}`);
      return fail('odoo', `${url.href} answered HTTP ${response.status}`, fix);
    } catch (error) {
      return fail('odoo', `${url.href} did not answer: ${describeFetchError(error, this.timeoutMs - 1000)}`, fix);
    }
  }

  private async backupDir(): Promise<CheckResult> {
    const dir = resolve(this.options.backupDir);
    const probe = join(dir, `.odoo-ops-doctor-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(probe, 'odoo-ops doctor probe\n', { mode: 0o600 });
      await rm(probe);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return fail('backup dir', `${dir} is not writable (${code})`, 'create BACKUP_DIR and make it writable by the bot (the image runs as uid 101: `sudo chown 101:101 backup`)');
    }
    const free = await freeBytesAt(dir);
    const newest = (await this.options.local.list().catch(() => [])).reduce((max, b) => Math.max(max, b.sizeBytes), 0);
    // A backup needs about its archive's size on disk while it runs (chunked spooling).
    const needed = Math.max(MIN_FREE_BYTES, Math.ceil(newest * 1.1));
    const freeText = `${(free / GIB).toFixed(1)} GiB free`;
    if (free < needed) {
      return fail('backup dir', `${dir}: ${freeText}, a backup needs about ${(needed / GIB).toFixed(1)} GiB`, 'free disk space or lower BACKUP_RETENTION_DAYS and run `odoo-ops prune`');
    }
    // Archives hold the whole database: a directory others may enter exposes any archive an older version wrote 0644.
    const mode = (await stat(dir)).mode & 0o777;
    if (mode & 0o077) {
      return fail('backup dir', `${dir} is open to other users (mode ${mode.toString(8).padStart(4, '0')})`, `\`chmod 700 ${dir}\` (and \`chmod 600\` the archives in it)`);
    }
    return pass('backup dir', `${dir} writable, ${freeText}`);
  }

  private async r2(): Promise<CheckResult> {
    const r2 = this.options.r2;
    if (!r2) return { name: 'R2', state: 'skip', detail: 'not configured: backups stay on local disk only', fix: 'set CF_R2_ENDPOINT, CF_R2_BUCKET, CF_R2_ACCESS_KEY_ID and CF_R2_SECRET_ACCESS_KEY for off-site copies' };
    // Not a backup name: retention never sees it, and it is deleted right away.
    const key = `${r2.prefix}.odoo-ops-doctor-${randomBytes(6).toString('hex')}`;
    const content = `odoo-ops doctor probe ${new Date().toISOString()}\n`;
    const fix = 'check CF_R2_ENDPOINT, CF_R2_BUCKET and the API token (Object Read & Write on this bucket)';
    let stage = 'write';
    // Under the check's deadline, less a margin: the request is cancelled and the line says R2 did not answer.
    const deadlineMs = Math.max(1000, this.timeoutMs - 2000);
    const abortSignal = AbortSignal.timeout(deadlineMs);
    try {
      await r2.client.send(new PutObjectCommand({ Bucket: r2.bucket, Key: key, Body: content, ContentType: 'text/plain' }), { abortSignal });
      stage = 'read';
      const object = await r2.client.send(new GetObjectCommand({ Bucket: r2.bucket, Key: key }), { abortSignal });
      const read = await object.Body?.transformToString();
      if (read !== content) return fail('R2', `the probe object read back differs from what was written (bucket ${r2.bucket})`, fix);
      stage = 'delete';
      await r2.client.send(new DeleteObjectCommand({ Bucket: r2.bucket, Key: key }), { abortSignal });
    } catch (error) {
      if (stage !== 'write') await r2.client.send(new DeleteObjectCommand({ Bucket: r2.bucket, Key: key }), { abortSignal: AbortSignal.timeout(2000) }).catch(() => undefined);
      const why = abortSignal.aborted ? `R2 unreachable: no answer within ${Math.round(deadlineMs / 1000)} s` : describeS3Error(error);
      return fail('R2', `cannot ${stage} a probe object in bucket ${r2.bucket}: ${why}`, fix);
    }
    const foreign = await this.foreignWriters().catch(() => []);
    if (foreign.length > 0) return fail('R2', foreignWritersWarning(foreign), 'set a CF_R2_PREFIX of its own on each server (existing backups stay where they are)');
    return pass('R2', `bucket ${r2.bucket}: probe object written, read back and deleted`);
  }

  /** Backups only R2 holds, written by another server under this prefix. */
  private async foreignWriters(): Promise<string[]> {
    const { r2Backend, local, database } = this.options;
    if (!r2Backend) return [];
    const { backups } = await listBackups([local, r2Backend], 'UTC');
    if (!backups.some((b) => b.locations.length === 1 && b.locations[0] === 'r2')) return [];
    return foreignBackups(r2Backend, backups, await writerIdentity(database));
  }
}
