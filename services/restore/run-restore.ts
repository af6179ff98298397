import { CleanupStack } from '../cleanup-stack.js';
import type { WriteCounters } from '../database/database-admin.js';
import { asOperationError, type OperationError } from '../operation-error.js';
import type { HeldLock } from '../operation-lock.js';
import type { Services } from '../services.js';
import type { ArchiveCheck, VerifyOptions } from './verify-archive.js';
import { archivePrevious } from './steps/archive-previous.js';
import { checkRoomBesideLive } from './steps/check-room-beside-live.js';
import { copyBesideLive } from './steps/copy-beside-live.js';
import { restoreRun } from './steps/restore-run.js';
import { switchToRestored } from './steps/switch-to-restored.js';
import { takeRestoreLock } from './steps/take-restore-lock.js';
import { takeSafetyBackup } from './steps/take-safety-backup.js';
import { verifyRestoreInput } from './steps/verify-restore-input.js';

export type RestoreStage =
  | 'lock'
  | 'locate'
  | 'space'
  | 'fetch'
  | 'verify'
  | 'safety-backup'
  | 'restore-database'
  | 'restore-filestore'
  | 'restore-addons'
  | 'switch'
  | 'archive-previous';

export interface RestoreProgress {
  stage: RestoreStage;
  state: 'started' | 'done';
}

export interface RestoreRequest {
  name: string;
  /** Who asked; shown to anyone told "busy". */
  startedBy: string;
  /**
   * Take a normal backup of the current state first (default false): the data
   * Odoo serves until the switch is archived after it anyway (archive-previous),
   * so this only adds a point from before the restore began.
   */
  safetyBackup?: boolean;
  /** Replace ADDONS_DIR's contents too (default false: addons usually live in git). */
  withAddons?: boolean;
  onProgress?: (progress: RestoreProgress) => void;
  /** How long Odoo may take to pass /web/health after the switch (default 180 s). */
  healthTimeoutMs?: number;
  verify?: Pick<VerifyOptions, 'listDump'>;
  /** The lock, when the caller runs this restore inside another operation of its own; the restore then neither settles a switch under it nor removes leftovers, nor releases it. */
  heldLock?: HeldLock;
  /** The lock, when the caller took it for this very restore (a confirmed offer): the restore runs as under a lock of its own (leftovers removed) but the caller releases it. */
  ownLock?: HeldLock;
  /**
   * Cancels the restore (the bot stopping) as long as nothing live was touched:
   * before the switch the running step is interrupted and everything is cleaned
   * up; once the switch has begun it runs to its end (seconds), rollback included.
   */
  signal?: AbortSignal;
}

export type RestoreOutcome =
  | {
      ok: true;
      name: string;
      database: string;
      /** The database as it was before, kept until the next successful backup (once an archive holds it). */
      previousDatabase: string | null;
      /** The archive that holds the database, filestore and addons as they were just before the switch; null when it could not be made (then `previousDatabase` is kept). */
      previousArchive: string | null;
      /** Rows inserted, updated and deleted in the live database between the restore's start and the switch: writes that only `previousArchive` holds. Null when unknown. */
      writesDuringRestore: WriteCounters | null;
      safetyBackup: string | null;
      /** False for an archive of the old layout: verified by integrity only. */
      checksummed: boolean;
      addonsRestored: boolean;
      durationMs: number;
      /** Odoo stopped or failing /web/health. */
      downtimeMs: number;
      /** From the start until Odoo served the restored data (the recovery time); the archive of the previous data comes after. */
      servingAfterMs: number;
      warnings: string[];
    }
  | {
      ok: false;
      error: OperationError;
      durationMs: number;
      /** Null when Odoo was never stopped. */
      downtimeMs: number | null;
      /** True when the live database, filestore and Odoo were never touched. */
      liveUntouched: boolean;
      /** The failed verification's checks, when it failed there. */
      checks?: ArchiveCheck[];
      safetyBackup: string | null;
    };

/**
 * A restore that cannot lose data, as named steps, each in its own module
 * under steps/ that registers what to undo: take the lock (and settle an
 * interrupted switch); find the backup, check room, fetch it from R2 when not
 * local, and prove it good (checksums, every tarball entry, the manifest
 * against the server, `pg_restore --list`); check room beside the live data;
 * take a safety backup when asked; restore the dump into a new database
 * `<db>_restore_<stamp>` and the filestore (and addons) beside the live ones
 * while Odoo keeps serving; switch over (the only downtime, journalled,
 * rolled back on any failure); archive the data Odoo served until the switch.
 * Until the switch nothing live is touched. Whatever fails, the restored
 * copies, fetched archive and extracted members are removed and the lock
 * released. Never throws.
 */
export async function runRestore(services: Services, request: RestoreRequest): Promise<RestoreOutcome> {
  const cleanup = new CleanupStack();
  const run = restoreRun(services, request, cleanup);
  const took = () => Date.now() - run.started;
  try {
    const { lock, writesAtStart } = await takeRestoreLock(run);
    const verified = await verifyRestoreInput(run);
    const owner = await checkRoomBesideLive(run, verified);
    await takeSafetyBackup(run, lock);
    const withAddons = await copyBesideLive(run, verified, owner);
    const switched = await switchToRestored(run, withAddons);
    const servingAfterMs = took();
    const previousArchive = await archivePrevious(run, lock, switched.setAside);
    const previousKept = (await services.databaseAdmin.databases()).includes(run.names.previous);
    return {
      ok: true,
      name: request.name,
      database: services.settings.database,
      previousDatabase: previousKept ? run.names.previous : null,
      previousArchive,
      writesDuringRestore: writesBetween(writesAtStart, switched.writeCounters),
      safetyBackup: run.report.safetyBackup,
      checksummed: verified.manifest !== null,
      addonsRestored: withAddons,
      durationMs: took(),
      downtimeMs: switched.downtimeMs,
      servingAfterMs,
      warnings: run.warnings,
    };
  } catch (error) {
    const { downtimeMs, checks, safetyBackup } = run.report;
    return { ok: false, error: asOperationError('restore', error), durationMs: took(), downtimeMs, liveUntouched: downtimeMs === null, checks, safetyBackup };
  } finally {
    await cleanup.run();
  }
}

/** Writes between two readings of the counters, or null when either is unknown (or the statistics were reset). */
function writesBetween(start: WriteCounters | null, end: WriteCounters | null): WriteCounters | null {
  if (!start || !end) return null;
  const delta = { inserted: end.inserted - start.inserted, updated: end.updated - start.updated, deleted: end.deleted - start.deleted };
  return Object.values(delta).every((n) => n >= 0) ? delta : null;
}

