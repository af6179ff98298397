import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import yazl from 'yazl';
import { parseArchiveManifest, type ArchiveManifest } from '../backup/archive-manifest.js';
import { passwordEnv } from '../backup/dump-database.js';
import { HashingCounter } from '../backup/hashing-writer.js';
import { execInContainer } from '../docker/exec-in-container.js';
import { OperationError } from '../operation-error.js';
import { locateBackup } from '../restore/locate-backup.js';
import { parseBackupInfo } from '../restore/verify-archive.js';
import type { Services } from '../services.js';
import { DumpSqlTap } from './dump-sql-tap.js';
import { odooZipManifest, type OdooZipManifest } from './odoo-manifest.js';

export interface ExportRequest {
  /** A backup name (with `.tar.gz`), local or in R2. */
  name: string;
  /** The zip to write; must not exist. */
  out: string;
  /** Leave `filestore/` out (Odoo's "pg_dump custom format (without filestore)" has no zip form; this is the zip without it). */
  withFilestore: boolean;
  onProgress?: (p: { stage: 'locate' | 'fetch' | 'export'; bytes?: number }) => void;
}

export type ExportOutcome =
  | { ok: true; name: string; out: string; sizeBytes: number; files: number; manifest: OdooZipManifest; durationMs: number; warnings: string[] }
  | { ok: false; error: OperationError; durationMs: number };

/** Strips `./` and empty parts; refuses what could leave the folder. */
function safeParts(path: string): string[] | null {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return parts.some((p) => p === '..' || p.includes('\\')) ? null : parts;
}

/**
 * Backup `name` (ours, or the old scripts' manifest-less layout) written as
 * the zip Odoo's database manager makes (see odoo-manifest.ts): `dump.sql` made
 * from `database.dump` by the DB container's `pg_restore --no-owner -f -`
 * (its tools match the server), the filestore's files as `filestore/<xx>/<sha1>`,
 * `manifest.json` in Odoo's shape (modules from our manifest, else read from
 * the dump's ir_module_module rows). One streamed pass over the archive: memory
 * stays flat, and the disk holds the zip (plus the archive when only R2 has
 * it, fetched to BACKUP_DIR and removed). Members are checked against our
 * manifest's SHA-256 as they pass; any failure removes the partial zip. Writes
 * only `out` (via `<out>.partial-…`, renamed when complete). Never throws.
 */
export async function exportOdooZip(services: Services, request: ExportRequest): Promise<ExportOutcome> {
  const started = Date.now();
  const partial = `${request.out}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  let staging: string | null = null;
  try {
    request.onProgress?.({ stage: 'locate' });
    const located = await locateBackup(services, request.name);
    let archive = located.localPath;
    if (!archive) {
      staging = join(services.settings.backupDir, `.export-${process.pid}-${randomBytes(4).toString('hex')}.staging`);
      await mkdir(staging, { recursive: true, mode: 0o700 });
      archive = join(staging, request.name);
      request.onProgress?.({ stage: 'fetch' });
      await services.r2!.fetch(request.name, archive);
    }
    request.onProgress?.({ stage: 'export' });
    const result = await writeZip(services, archive, partial, request);
    await rename(partial, request.out);
    return { ok: true, name: request.name, out: request.out, durationMs: Date.now() - started, ...result };
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined);
    const failure = error instanceof OperationError ? error : new OperationError('export', (error as Error).message, { cause: error });
    return { ok: false, error: failure, durationMs: Date.now() - started };
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function writeZip(services: Services, archive: string, partial: string, request: ExportRequest) {
  const zip = new yazl.ZipFile();
  await mkdir(dirname(partial), { recursive: true });
  const counter = new HashingCounter((bytes) => request.onProgress?.({ stage: 'export', bytes }));
  const written = pipeline(zip.outputStream as unknown as Readable, counter, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
  written.catch(() => undefined);
  const hashes = new Map<string, string>();
  const texts = new Map<string, string>();
  const work: Promise<unknown>[] = [];
  const warnings: string[] = [];
  let files = 0;
  let sawDump = false;
  let folder: string | null = null;
  const tap = new DumpSqlTap();

  const member = (path: string) => (safeParts(path) ?? []).slice(1).join('/');
  await new Promise<void>((resolve, reject) => {
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        const name = member(entry.path);
        if (entry.type !== 'File' || !['database.dump', 'filestore.tar.gz', 'manifest.json', 'backup.info'].includes(name) || (name === 'filestore.tar.gz' && !request.withFilestore)) {
          entry.resume();
          return;
        }
        const hash = new HashingCounter();
        work.push(new Promise<void>((done) => hash.on('end', done)).then(() => hashes.set(name, hash.digest())));
        if (name === 'manifest.json' || name === 'backup.info') {
          const chunks: Buffer[] = [];
          hash.on('data', (c: Buffer) => chunks.push(c));
          hash.on('end', () => texts.set(name, Buffer.concat(chunks).toString('utf8')));
          entry.pipe(hash);
        } else if (name === 'database.dump') {
          sawDump = true;
          entry.pipe(hash);
          work.push(dumpToSql(services, hash, tap, zip));
        } else {
          work.push(
            new Promise<void>((done, fail) => {
              const inner = new tar.Parser({
                strict: true,
                onReadEntry: (file) => {
                  try {
                    const parts = safeParts(file.path);
                    if (!parts) throw new OperationError('export', `filestore.tar.gz holds an unsafe path (${file.path.slice(0, 80)}): refused`);
                    if (file.type === 'Directory' || parts[0] !== 'filestore' || parts.length < 3) return file.resume();
                    if (file.type !== 'File' && file.type !== 'OldFile') throw new OperationError('export', `filestore.tar.gz holds a ${file.type} (${parts.join('/')}): refused`);
                    // Ours hold filestore/<db>/ only; the old scripts' the whole data dir: the database's folder, else the first one.
                    if (folder === null || (parts[1] === services.settings.database && files === 0)) folder = parts[1]!;
                    if (parts[1] !== folder) return file.resume();
                    const body = new PassThrough();
                    zip.addReadStream(body, `filestore/${parts.slice(2).join('/')}`, { mtime: file.mtime ?? new Date(), mode: 0o100644, compressionLevel: 1 });
                    files++;
                    file.pipe(body);
                  } catch (error) {
                    file.resume();
                    fail(error);
                  }
                },
              });
              inner.on('error', fail);
              inner.on('end', () => done());
              hash.pipe(inner as unknown as NodeJS.WritableStream);
            }),
          );
          entry.pipe(hash);
        }
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve());
    const source = createReadStream(archive);
    source.on('error', reject);
    source.pipe(parser as unknown as NodeJS.WritableStream);
  });
  const settled = await Promise.allSettled(work);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    zip.end();
    throw failed.reason;
  }
  if (!sawDump) throw new OperationError('export', 'the archive holds no database.dump: not a backup of this layout');

  let ours: ArchiveManifest | null = null;
  if (texts.has('manifest.json')) {
    ours = parseArchiveManifest(texts.get('manifest.json')!);
    for (const [name, sha256] of hashes) {
      const expected = ours.members[name]?.sha256;
      if (name !== 'manifest.json' && expected && expected !== sha256) throw new OperationError('export', `${name} does not match its SHA-256 in manifest.json: the archive is damaged`);
    }
  } else {
    warnings.push('the archive has no manifest.json (old layout): exported without checksums; the modules were read from the dump');
  }
  const info = texts.has('backup.info') ? parseBackupInfo(texts.get('backup.info')!) : {};
  const modules = ours?.modules ?? (tap.sawModuleTable ? tap.modules : {});
  if (!ours?.modules && !tap.sawModuleTable) warnings.push('the dump holds no ir_module_module table: manifest.json lists no modules');
  const manifest = odooZipManifest({
    database: ours?.database ?? info.database ?? services.settings.database,
    odooVersion: ours && ours.odooVersion !== 'unknown' ? ours.odooVersion : (info.odoo_version ?? null),
    postgresVersion: ours && ours.postgresVersion !== 'unknown' ? ours.postgresVersion : (info.postgres_version ?? tap.dumpedFrom),
    modules,
  });
  if (!manifest.version) warnings.push('the backup does not say its Odoo version: manifest.json leaves version fields null');
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 4)), 'manifest.json', { mtime: new Date(), mode: 0o100644 });
  zip.end();
  await written;
  return { sizeBytes: counter.bytes, files, manifest, warnings };
}

/**
 * `pg_restore --no-owner -f -` in the DB container: the custom-format dump on
 * stdin, plain SQL on stdout (read in one pass: our dumps are written to a
 * pipe, so their data comes in restore order). The SQL goes into the zip as
 * dump.sql through `tap`; resolves once pg_restore exited 0.
 */
async function dumpToSql(services: Services, dump: Readable, tap: DumpSqlTap, zip: yazl.ZipFile): Promise<void> {
  const target = services.database;
  const container = await target.stack.runningContainer(target.dbService);
  const sql = new PassThrough();
  zip.addReadStream(tap, 'dump.sql', { mtime: new Date(), mode: 0o100644 });
  sql.pipe(tap);
  const result = await execInContainer(container, ['pg_restore', '--no-owner', '-f', '-'], { stdin: dump, stdout: sql, env: passwordEnv(target) });
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim().split('\n').filter((l) => !/^\s*DETAIL:/.test(l)).slice(-3).join(' ') || 'no error output';
    throw new OperationError('export', `pg_restore could not turn database.dump into SQL (exit ${result.exitCode}): ${detail}`);
  }
}
