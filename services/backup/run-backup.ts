import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { asOperationError, OperationError } from '../operation-error.js';
import type { HeldLock } from '../operation-lock.js';
import { runStep } from '../pipeline-step.js';
import type { Services } from '../services.js';
import type { Location } from '../storage/storage-backend.js';
import { archiveDirectory } from './archive-directory.js';
import { archiveManifest, backupInfo } from './archive-manifest.js';
import { backupFolder, formatBackupName } from './backup-name.js';
import { freeBackupName } from './free-backup-name.js';
import { ArchiveWriter } from './archive-writer.js';
import { ChunkedSpool } from './chunked-spool.js';
import { dumpDatabase, postgresVersion } from './dump-database.js';
import { pruneOlderThan, type PruneResult } from './prune-backups.js';
import { discardPreviousState, type DiscardedState } from '../restore/discard-previous.js';
import { archivePendingSetAsides } from '../restore/set-aside.js';
import { recoverSwitch, recoveryNotice } from '../restore/recover-switch.js';
import { ADDONS_LEFTOVER } from '../restore/restore-names.js';
import { removeLeftovers } from '../cleanup/remove-leftovers.js';
import { writerIdentity } from '../storage/foreign-writers.js';

export type BackupStage = 'lock' | 'prepare' | 'dump' | 'filestore' | 'addons' | 'archive' | 'upload' | 'prune' | 'recover' | 'archive-set-aside' | 'discard-previous';

export interface BackupProgress {
  stage: BackupStage;
  state: 'started' | 'done' | 'bytes';
  /** Bytes written so far by this stage (state `bytes`). */
  bytes?: number;
  total?: number;
}

export interface BackupRequest {
  /** Who asked: a Slack user, `cli`, `schedule`; shown to anyone told "busy". */
  startedBy: string;
  onProgress?: (progress: BackupProgress) => void;
  /** The lock, when the caller already holds it (a restore's safety backup); the backup then neither takes nor releases it. */
  heldLock?: HeldLock;
  /** Run retention afterwards (default true). A safety backup must not prune the archive being restored. */
  prune?: boolean;
  /**
   * Cancels the backup (the bot stopping): the running stage is interrupted
   * (pg_dump's stream closed, the multipart upload aborted) and the outcome is
   * a failure of that stage, with the usual cleanup. Abort reason: why, shown to the user.
   */
  signal?: AbortSignal;
  /** The clock the backup's name is read from (default: the system clock); tests take two backups "in the same second". */
  now?: () => Date;
  /**
   * Archive something other than the live state, in the same layout: the data a
   * restore set aside (`<db>_before_<stamp>` and its filestore), so that the
   * writes it holds are never dropped without an archive. Such a backup
   * neither prunes nor drops anything.
   */
  source?: BackupSource;
}

/** What a backup of something other than the live database, filestore and addons reads. */
export interface BackupSource {
  /** The database to dump. */
  database: string;
  /** The directory whose contents go into the archive as `filestore/<POSTGRES_DB>/`. */
  filestoreDir: string;
  /** The addons directory to archive. */
  addonsDir: string;
  /** Said in backup.info and manifest.json: what the archive holds. */
  origin: string;
}

export type BackupOutcome =
  | {
      ok: true;
      name: string;
      sizeBytes: number;
      sha256: string;
      durationMs: number;
      locations: Location[];
      /** Retention run after the backup; null when it could not run. */
      pruned: PruneResult | null;
      /** What restores had left beside the live data (previous database and filestore), dropped now that a backup covers the current state. */
      discarded: DiscardedState | null;
      warnings: string[];
    }
  | {
      ok: false;
      error: OperationError;
      durationMs: number;
      /** Set when a complete archive is kept in BACKUP_DIR although a later stage (R2) failed. */
      localArchive?: string;
    };

const TOOL = 'odoo-ops 0.1';

/** A file-system error in BACKUP_DIR, said the way an operator can act on. */
function describeDiskError(error: unknown, dir: string): string | null {
  switch ((error as NodeJS.ErrnoException)?.code) {
    case 'ENOSPC':
      return `no space left on the disk of BACKUP_DIR (${dir})`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `BACKUP_DIR (${dir}) is not writable by the bot (${(error as NodeJS.ErrnoException).code})`;
    default:
      return null;
  }
}

/** The Odoo version the odoo container declares (the official image sets ODOO_VERSION), or "unknown". */
async function odooVersion(services: Services): Promise<string> {
  try {
    const info = await (await services.stack.container(services.settings.odooService)).inspect();
    return info.Config.Env?.find((e) => e.startsWith('ODOO_VERSION='))?.split('=')[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * A full backup, as named steps: take the lock; dump the database, archive the
 * filestore and the addons (concurrently); write backup.info and manifest.json;
 * pack the archive under a temporary name in BACKUP_DIR and rename it when
 * complete; upload it to R2; drop what the last restore kept beside the live
 * data (the backup now covers the current state); prune old backups. Whatever fails, the staging
 * files and any partial archive are removed and the lock is released. An R2
 * failure keeps the complete local archive and says so. Never throws: the
 * outcome is a value.
 */
export async function runBackup(services: Services, request: BackupRequest): Promise<BackupOutcome> {
  const started = Date.now();
  const dir = services.settings.backupDir;
  const progress = request.onProgress ?? (() => {});
  const takenAt = request.now?.() ?? new Date(started);
  // Settled in `prepare` to the first name no store holds (never overwrite); the paths follow it.
  let name = formatBackupName(takenAt, services.settings.timeZone);
  let folder = backupFolder(name);
  // Temporary paths unique to this run: a refused second run cleans up only its own.
  const runId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  let staging = join(dir, `.${folder}.${runId}.staging`);
  let partial = join(dir, `.${name}.${runId}.partial`);
  let lock: HeldLock | undefined;
  let archive: ArchiveWriter | undefined;
  let stopListening = () => {};

  const step = <T>(stage: BackupStage, work: () => Promise<T>) =>
    runStep(stage, progress, work, {
      signal: request.signal,
      describe: (error) => describeDiskError(error, dir) ?? describeDiskError((error as Error)?.cause, dir),
    });
  const bytes = (stage: BackupStage) => (n: number) => progress({ stage, state: 'bytes', bytes: n });

  try {
    if (!request.heldLock) lock = await step('lock', () => services.lock.acquire('backup', request.startedBy));
    // Never a backup of a half-switched restore: a switch a killed process left is settled first.
    const recovery = request.source ? null : await step('recover', () => recoverSwitch(services, { startedBy: request.startedBy, heldLock: lock ?? request.heldLock }));
    if (recovery?.action === 'failed') throw new OperationError('recover', `${recovery.message}; no backup was taken`);
    const recovered = recovery ? recoveryNotice(recovery) : null;
    if (lock) await removeLeftovers(services); // what killed runs left; only under a lock of our own
    await step('prepare', async () => {
      // R2 unreachable here: the local check decides, and the upload refuses an existing key itself.
      name = (await freeBackupName(services.backends, takenAt, services.settings.timeZone)).name;
      folder = backupFolder(name);
      staging = join(dir, `.${folder}.${runId}.staging`);
      partial = join(dir, `.${name}.${runId}.partial`);
      await mkdir(staging, { recursive: true, mode: 0o700 });
    });

    // The dump and the two directory archives do not wait for each other; each
    // is spooled in chunks, and the archive takes the filestore and addons in
    // (freeing their chunks) while pg_dump still runs. Everything is awaited
    // even when one step fails, so nothing still writes during cleanup.
    const spool = (member: string) => new ChunkedSpool(join(staging, member));
    const spools = { dump: spool('database.dump'), filestore: spool('filestore.tar.gz'), addons: spool('addons.tar.gz') };
    // Cancelling breaks every spool: pg_dump's stream and the tar writers then fail and stop.
    const cancel = () => Object.values(spools).forEach((s) => s.destroy());
    request.signal?.addEventListener('abort', cancel, { once: true });
    stopListening = () => request.signal?.removeEventListener('abort', cancel);
    archive = new ArchiveWriter(partial, folder, bytes('archive'));
    const writer = archive;
    const source = request.source;
    const filestoreDone = step('filestore', () =>
      archiveDirectory(
        source
          ? { stage: 'filestore', cwd: source.filestoreDir, paths: ['.'], prefix: `filestore/${services.settings.database}`, missingHint: 'the set-aside filestore is missing' }
          : {
              stage: 'filestore',
              cwd: services.settings.odooDataDir,
              paths: [`filestore/${services.settings.database}`],
              missingHint: 'check ODOO_DATA_DIR (the Odoo data dir as mounted in the bot) and POSTGRES_DB',
            },
        spools.filestore,
        bytes('filestore'),
      ),
    );
    const addonsDone = step('addons', () =>
      archiveDirectory(
        // Addons a restore set aside are not the current addons.
        { stage: 'addons', cwd: source?.addonsDir ?? services.settings.addonsDir, paths: ['.'], missingHint: 'check ADDONS_DIR', skipTopLevel: ADDONS_LEFTOVER },
        spools.addons,
        bytes('addons'),
      ),
    );
    const directoriesAppended = Promise.all([filestoreDone, addonsDone]).then(() =>
      step('archive', () => Promise.all([writer.appendSpool('filestore.tar.gz', spools.filestore), writer.appendSpool('addons.tar.gz', spools.addons)])),
    );
    const settled = await Promise.allSettled([
      step('dump', () => dumpDatabase(source ? { ...services.database, database: source.database } : services.database, spools.dump, bytes('dump'))),
      filestoreDone,
      addonsDone,
      postgresVersion(services.database).catch((error) => Promise.reject(asOperationError('dump', error))),
      odooVersion(services),
      directoriesAppended,
    ]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [dump, filestore, addons, pgVersion, odoo] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      Awaited<ReturnType<typeof dumpDatabase>>,
      Awaited<ReturnType<typeof archiveDirectory>>,
      Awaited<ReturnType<typeof archiveDirectory>>,
      string,
      string,
    ];

    const written = await step('archive', async () => {
      const input = {
        name,
        database: services.settings.database,
        createdAt: new Date(started),
        postgresVersion: pgVersion,
        odooVersion: odoo,
        tool: TOOL,
        origin: source?.origin,
        members: { 'database.dump': dump, 'filestore.tar.gz': filestore, 'addons.tar.gz': addons },
      };
      const info = Buffer.from(backupInfo(input));
      const manifest = archiveManifest(input, { sizeBytes: info.length, sha256: createHash('sha256').update(info).digest('hex') });
      await writer.appendSpool('database.dump', spools.dump);
      await writer.appendBuffer('backup.info', info);
      // manifest.json comes last: it describes every member before it.
      await writer.appendBuffer('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
      const complete = await writer.finish();
      archive = undefined;
      // Only a complete archive ever carries the backup name.
      await rename(partial, services.local.pathOf(name));
      return complete;
    });
    const locations: Location[] = ['local'];

    // Recorded on the object: status and doctor tell another server's backups under the same prefix from ours.
    const writtenBy = services.r2 ? await writerIdentity(services.database).catch(() => undefined) : undefined;
    if (services.r2) {
      const r2 = services.r2;
      try {
        // Asked again now the archive is written: another server under this prefix may have taken the name
        // since `prepare`, or R2 could not say then. A name is never written twice.
        if (await r2.describe(name)) throw new OperationError('upload', `${name} already exists in R2 (written by another server or by hand): refusing to overwrite it`);
        await step('upload', () =>
          r2.store(services.local.pathOf(name), name, { sha256: written.sha256, sizeBytes: written.sizeBytes, writer: writtenBy }, (p) =>
            progress({ stage: 'upload', state: 'bytes', bytes: p.bytes, total: p.total }),
            request.signal,
          ),
        );
      } catch (error) {
        const cause = asOperationError('upload', error);
        return {
          ok: false,
          error: new OperationError('upload', `R2 upload failed: ${cause.userMessage}; the local archive ${name} is kept in ${dir}`, { cause }),
          durationMs: Date.now() - started,
          localArchive: name,
        };
      }
      locations.push('r2');
    }

    const warnings: string[] = recovered ? [recovered] : [];
    let pruned: PruneResult | null = null;
    let discarded: DiscardedState | null = null;
    if (!source) {
      try {
        // Data a restore set aside is archived before anything of it may go.
        const archivedNow = await step('archive-set-aside', () => archivePendingSetAsides(services, lock ?? request.heldLock!, request.startedBy));
        warnings.push(...archivedNow.warnings);
        discarded = await step('discard-previous', () => discardPreviousState(services));
        for (const kept of discarded.unarchived) warnings.push(`kept ${kept}: data a restore set aside that no archive holds yet`);
      } catch (error) {
        warnings.push(`the data kept from the last restore could not be dropped: ${asOperationError('discard-previous', error).userMessage}`);
      }
    }
    if (request.prune !== false && !source) {
      try {
        pruned = await step('prune', () =>
          pruneOlderThan(services.backends, { retentionDays: services.settings.retentionDays, timeZone: services.settings.timeZone }),
        );
        for (const failure of pruned.failures) warnings.push(`retention could not prune ${failure.location}: ${failure.message}`);
        warnings.push(...pruned.warnings);
      } catch (error) {
        warnings.push(`retention did not run: ${asOperationError('prune', error).userMessage}`);
      }
    }
    return { ok: true, name, sizeBytes: written.sizeBytes, sha256: written.sha256, durationMs: Date.now() - started, locations, pruned, discarded, warnings };
  } catch (error) {
    return { ok: false, error: asOperationError('backup', error), durationMs: Date.now() - started };
  } finally {
    stopListening();
    await archive?.abort();
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await rm(partial, { force: true }).catch(() => undefined);
    await lock?.release();
  }
}
