import { randomBytes } from 'node:crypto';
import { CleanupStack } from '../cleanup-stack.js';
import { asOperationError, type OperationError } from '../operation-error.js';
import type { HeldLock } from '../operation-lock.js';
import type { Services } from '../services.js';
import type { Location } from '../storage/storage-backend.js';
import type { PruneResult } from './prune-backups.js';
import type { DiscardedState } from '../restore/discard-previous.js';
import { backupRun } from './steps/backup-run.js';
import { chooseBackupName } from './steps/choose-backup-name.js';
import { packArchive } from './steps/pack-archive.js';
import { takeBackupLock } from './steps/take-backup-lock.js';
import { tidyAfterBackup } from './steps/tidy-after-backup.js';
import { uploadArchive } from './steps/upload-archive.js';

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
  /** The lock, when the caller took it for this very backup (commands/backup.ts startBackup): the backup runs as under a lock of its own but leaves the release to the caller. */
  ownLock?: HeldLock;
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

/**
 * A full backup, as named steps, each in its own module under steps/ that
 * registers what to undo: take the lock (and settle an interrupted restore);
 * choose a name no store holds; dump the database and archive the filestore
 * and the addons (concurrently) into the archive, manifest.json last, renamed
 * when complete; upload it to R2; archive data a restore set aside, drop what
 * restores left that an archive holds, prune old backups. Whatever fails, the
 * staging files and any partial archive are removed and the lock is released.
 * An R2 failure keeps the complete local archive and says so. Never throws:
 * the outcome is a value.
 */
export async function runBackup(services: Services, request: BackupRequest): Promise<BackupOutcome> {
  const cleanup = new CleanupStack();
  const run = backupRun(services, request, cleanup, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const took = () => Date.now() - run.started;
  try {
    const { lock, recovered } = await takeBackupLock(run);
    const target = await chooseBackupName(run);
    const written = await packArchive(run, target);
    const uploadFailed = await uploadArchive(run, target.name, written);
    if (uploadFailed) return { ok: false, error: uploadFailed, durationMs: took(), localArchive: target.name };
    const { pruned, discarded, warnings } = await tidyAfterBackup(run, lock);
    const locations: Location[] = services.r2 ? ['local', 'r2'] : ['local'];
    return { ok: true, name: target.name, sizeBytes: written.sizeBytes, sha256: written.sha256, durationMs: took(), locations, pruned, discarded, warnings: [...(recovered ? [recovered] : []), ...written.warnings, ...warnings] };
  } catch (error) {
    return { ok: false, error: asOperationError('backup', error), durationMs: took() };
  } finally {
    await cleanup.run();
  }
}
