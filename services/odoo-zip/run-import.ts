import { createReadStream, createWriteStream } from 'node:fs';
import { chown, mkdir, open, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CleanupStack } from '../cleanup-stack.js';
import { passwordEnv, postgresVersion } from '../backup/dump-database.js';
import { execInContainer } from '../docker/exec-in-container.js';
import { asOperationError, OperationError } from '../operation-error.js';
import type { Owner } from '../restore/extract-tarball.js';
import type { RestoreProgress } from '../restore/run-restore.js';
import { archivePrevious } from '../restore/steps/archive-previous.js';
import { checkRoomBesideLive } from '../restore/steps/check-room-beside-live.js';
import { restoreRun, type RestoreRun } from '../restore/steps/restore-run.js';
import { switchToRestored } from '../restore/steps/switch-to-restored.js';
import { takeRestoreLock } from '../restore/steps/take-restore-lock.js';
import { takeSafetyBackup } from '../restore/steps/take-safety-backup.js';
import type { VerifiedArchive } from '../restore/verify-archive.js';
import type { Services } from '../services.js';
import { checkOdooManifest, readOdooZip, type OdooZip } from './read-odoo-zip.js';

export interface ImportRequest {
  /** An Odoo database-manager / Odoo.sh zip, or a custom-format `.dump` (pg_dump -Fc). */
  file: string;
  startedBy: string;
  /** Give the database a new database.uuid (Odoo's "copy"): keep it off when moving house, on for a second copy. */
  newUuid?: boolean;
  safetyBackup?: boolean;
  onProgress?: (progress: RestoreProgress) => void;
  healthTimeoutMs?: number;
  signal?: AbortSignal;
}

export type ImportOutcome =
  | { ok: true; file: string; database: string; previousDatabase: string | null; previousArchive: string | null; safetyBackup: string | null; files: number; downtimeMs: number; durationMs: number; warnings: string[] }
  | { ok: false; error: OperationError; durationMs: number; liveUntouched: boolean; safetyBackup: string | null };

/** What an import would load, checked; nothing written. */
export interface ImportPlan {
  kind: 'zip' | 'dump';
  file: string;
  manifest: Record<string, unknown> | null;
  filestoreFiles: number;
  filestoreBytes: number;
  problems: string[];
  warnings: string[];
}

/** A custom-format dump starts with "PGDMP"; anything else is taken for a zip. */
async function isCustomDump(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(5), 0, 5, 0);
    return bytesRead === 5 && buffer.toString('latin1') === 'PGDMP';
  } finally {
    await handle.close();
  }
}

/** The module folders of the Odoo container's own addons (official image layout), or null when they cannot be listed. */
async function odooOwnModules(services: Services): Promise<Set<string> | null> {
  try {
    const container = await services.stack.runningContainer(services.settings.odooService);
    const result = await execInContainer(container, ['sh', '-c', 'ls -1 /usr/lib/python3/dist-packages/odoo/addons']);
    const names = result.stdout.split('\n').filter(Boolean);
    return result.exitCode === 0 && names.length > 0 ? new Set(names) : null;
  } catch {
    return null;
  }
}

/**
 * Checks `file` for an import without writing anything: a zip's entries
 * (readOdooZip: paths, links, dump.sql present) and its manifest against the
 * stack (checkOdooManifest); a `.dump` by its signature. `problems` non-empty
 * means the import is refused. Returns the open zip for the loader (closed by the caller).
 */
export async function inspectImport(services: Services, file: string): Promise<ImportPlan & { zip: OdooZip | null }> {
  if (await isCustomDump(file)) {
    return { kind: 'dump', file, manifest: null, filestoreFiles: 0, filestoreBytes: 0, problems: [], zip: null, warnings: ['a .dump carries no filestore: the imported database starts with an empty one (attachments stored as files will be missing)'] };
  }
  const zip = await readOdooZip(file);
  const server = await postgresVersion(services.database).catch(() => null);
  const findings = await checkOdooManifest(zip.manifest, server, services.settings.addonsDir, await odooOwnModules(services));
  if (zip.ignored.length > 0) findings.warnings.push(`ignored, as Odoo's own restore does: ${zip.ignored.slice(0, 5).join(', ')}${zip.ignored.length > 5 ? '…' : ''}`);
  return { kind: 'zip', file, manifest: zip.manifest, filestoreFiles: zip.filestore.length, filestoreBytes: zip.filestoreBytes, zip, ...findings };
}

/** `plan` without the open zip: what `import` without --yes shows. */
export async function planImport(services: Services, file: string): Promise<ImportPlan> {
  const { zip, ...plan } = await inspectImport(services, file);
  zip?.zip.close();
  return plan;
}

/** psql in the DB container against `database`, stdin `sql`: stops at the first error, all in one transaction. */
async function loadSql(services: Services, database: string, sql: NodeJS.ReadableStream): Promise<void> {
  const target = services.database;
  const container = await target.stack.runningContainer(target.dbService);
  const result = await execInContainer(container, ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-U', target.user, '-d', database, '-o', '/dev/null'], {
    stdin: sql as unknown as import('node:stream').Readable,
    env: passwordEnv(target),
  });
  if (result.exitCode !== 0) {
    // DETAIL lines quote rows: company data, not for a chat channel.
    const detail = result.stderr.trim().split('\n').filter((l) => !/^\s*DETAIL:/.test(l)).slice(-2).join(' ') || 'no error output';
    throw new OperationError('restore-database', `dump.sql failed to load (psql exit ${result.exitCode}: ${detail}); nothing of it was kept (Odoo's own manager would have kept a half-loaded database)`);
  }
}

async function runSqlIn(services: Services, database: string, sql: string): Promise<void> {
  const { Readable } = await import('node:stream');
  await loadSql(services, database, Readable.from([Buffer.from(sql)]));
}

/** Writes every filestore/ entry of the zip below `target`, owned by `owner`; paths were checked by readOdooZip. */
async function extractFilestore(zip: OdooZip, target: string, owner: Owner | null): Promise<void> {
  await mkdir(target, { recursive: false });
  if (owner) await chown(target, owner.uid, owner.gid);
  const made = new Set<string>([target]);
  for (const { entry, rel } of zip.filestore) {
    const path = join(target, rel);
    const dir = dirname(path);
    if (!made.has(dir)) {
      const first = await mkdir(dir, { recursive: true });
      if (owner && first) {
        // chown every folder mkdir created, from the first one down.
        for (let d = dir; d.length >= first.length; d = dirname(d)) await chown(d, owner.uid, owner.gid);
      }
      made.add(dir);
    }
    await pipeline(await zip.zip.openReadStreamPromise(entry), createWriteStream(path, { flags: 'wx', mode: 0o644 }));
    if (owner) await chown(path, owner.uid, owner.gid);
  }
}

/**
 * Steps `restore-database` and `restore-filestore` of an import, beside the
 * live data while Odoo serves: a new database `<db>_restore_<stamp>` from
 * template0 (the live one's encoding and locale), `dump.sql` streamed from the
 * zip into `psql -v ON_ERROR_STOP=1 --single-transaction` (a `.dump`: pg_restore
 * --exit-on-error), database.uuid renewed when asked, `filestore/` written
 * beside the live filestore owned by Odoo's uid. Registers their removal
 * unless they become the live data.
 */
async function loadBesideLive(run: RestoreRun, inspected: Awaited<ReturnType<typeof inspectImport>>, owner: Owner | null, newUuid: boolean): Promise<number> {
  const { services, names, step } = run;
  const staged = join(services.settings.odooDataDir, 'filestore', names.restored);
  run.cleanup.defer(async () => {
    if (run.keepCopies) return;
    await services.databaseAdmin.drop(names.restored).catch(() => undefined);
    await rm(staged, { recursive: true, force: true });
  });
  await step('restore-database', async () => {
    await services.databaseAdmin.createEmpty(names.restored, services.settings.database);
    if (inspected.zip) await loadSql(services, names.restored, await inspected.zip.zip.openReadStreamPromise(inspected.zip.dump));
    else await services.databaseAdmin.restoreDump(names.restored, createReadStream(inspected.file));
    if (newUuid) {
      // What Odoo's "copy" does to the identity (ir.config_parameter init(force=True)): a new database.uuid.
      await runSqlIn(services, names.restored, "UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key = 'database.uuid';");
    }
  });
  await step('restore-filestore', async () => {
    if (inspected.zip) await extractFilestore(inspected.zip, staged, owner);
    else {
      await mkdir(staged);
      if (owner) await chown(staged, owner.uid, owner.gid);
    }
  });
  if (run.request.signal?.aborted) throw new OperationError('restore-database', `cancelled: ${String(run.request.signal.reason ?? 'aborted')}`);
  return inspected.filestoreFiles;
}

/**
 * Imports an Odoo zip or `.dump` through the safe restore: the restore
 * pipeline's own lock (and interrupted-switch recovery), the zip checked
 * before anything is written (inspectImport; refused with nothing changed),
 * room checked beside the live data, the optional safety backup, the load
 * beside the live data (loadBesideLive), then the restore's journalled switch
 * with rollback and the archive of the data it set aside. Until the switch
 * nothing live is touched; whatever fails, the copies are removed and the lock
 * released. Never throws.
 */
export async function runImport(services: Services, request: ImportRequest): Promise<ImportOutcome> {
  const cleanup = new CleanupStack();
  const run = restoreRun(services, { name: basename(request.file), startedBy: request.startedBy, safetyBackup: request.safetyBackup, onProgress: request.onProgress, healthTimeoutMs: request.healthTimeoutMs, signal: request.signal }, cleanup);
  const took = () => Date.now() - run.started;
  try {
    const { lock } = await takeRestoreLock(run);
    const inspected = await run.step('verify', () => inspectImport(services, request.file));
    if (inspected.zip) cleanup.defer(() => inspected.zip!.zip.close());
    if (inspected.problems.length > 0) throw new OperationError('verify', `${basename(request.file)} cannot be imported: ${inspected.problems.join('; ')}; nothing was changed`);
    run.warnings.push(...inspected.warnings);
    // The room check reads only the filestore's (and addons') size.
    const owner = await checkRoomBesideLive(run, { filestoreBytes: inspected.filestoreBytes, addonsBytes: 0 } as VerifiedArchive);
    await takeSafetyBackup(run, lock);
    const files = await loadBesideLive(run, inspected, owner, request.newUuid === true);
    const switched = await switchToRestored(run, false);
    const previousArchive = await archivePrevious(run, lock, switched.setAside);
    const previousKept = (await services.databaseAdmin.databases()).includes(run.names.previous);
    return {
      ok: true,
      file: request.file,
      database: services.settings.database,
      previousDatabase: previousKept ? run.names.previous : null,
      previousArchive,
      safetyBackup: run.report.safetyBackup,
      files,
      downtimeMs: switched.downtimeMs,
      durationMs: took(),
      warnings: run.warnings,
    };
  } catch (error) {
    return { ok: false, error: asOperationError('import', error), durationMs: took(), liveUntouched: run.report.downtimeMs === null, safetyBackup: run.report.safetyBackup };
  } finally {
    await cleanup.run();
  }
}
