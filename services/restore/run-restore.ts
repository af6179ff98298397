import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runBackup } from '../backup/run-backup.js';
import { asOperationError, OperationError } from '../operation-error.js';
import type { HeldLock } from '../operation-lock.js';
import { runStep } from '../pipeline-step.js';
import type { Services } from '../services.js';
import { discardPreviousState, markNeedsAttention } from './discard-previous.js';
import { extractTarball } from './extract-tarball.js';
import { freeBytesAt, shortfalls, type SpaceNeed } from '../free-space.js';
import { locateBackup } from './locate-backup.js';
import { restoreNames, restoreStamp, MAX_IDENTIFIER_BYTES } from './restore-names.js';
import { switchOver, SwitchFailed } from './switch-over.js';
import { SwitchJournal } from './switch-journal.js';
import { archiveSetAside } from './set-aside.js';
import { recoverSwitch, recoveryNotice } from './recover-switch.js';
import type { WriteCounters } from '../database/database-admin.js';
import { verifyArchive, type ArchiveCheck, type VerifiedArchive, type VerifyOptions } from './verify-archive.js';
import { removeLeftovers } from '../cleanup/remove-leftovers.js';
import { verifyTarget } from './verify-backup.js';
import { ADDONS_LAYOUT } from './tar-entry-checker.js';

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
  /** The lock, when the caller took it already (a confirmed Slack offer); the caller then releases it. */
  heldLock?: HeldLock;
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

const DEFAULT_HEALTH_TIMEOUT_MS = 180_000;

/**
 * A restore that cannot lose data, as named steps:
 * take the lock; find the backup (BACKUP_DIR, else R2) and check free disk;
 * fetch it from R2 when not local; verify it (checksums, tarballs,
 * `pg_restore --list`); take a safety backup of the current state; restore the
 * dump into a new database `<db>_restore_<stamp>` and the filestore (and addons,
 * when asked) beside the live ones while Odoo keeps serving; then switch over
 * (the only downtime), rolling back on any failure. Until the switch nothing
 * live is touched. Whatever fails, the restored copies, fetched archive and
 * extracted members are removed and the lock released. Never throws.
 */
export async function runRestore(services: Services, request: RestoreRequest): Promise<RestoreOutcome> {
  const started = Date.now();
  const progress = request.onProgress ?? (() => {});
  const db = services.settings.database;
  const names = restoreNames(db, restoreStamp(new Date(started)));
  const staging = join(services.settings.backupDir, `.restore-${names.restored}.${process.pid}-${randomBytes(4).toString('hex')}.staging`);
  const stagedFilestore = join(services.settings.odooDataDir, 'filestore', names.restored);
  const stagedAddons = join(services.settings.addonsDir, names.addonsStaged);
  let lock: HeldLock | undefined = request.heldLock;
  let ownLock: HeldLock | undefined;
  let safetyBackup: string | null = null;
  let downtimeMs: number | null = null;
  let checks: ArchiveCheck[] | undefined;
  let restoredCreated = false;
  let switched = false;
  // After a failed switch-back, every copy stays where it is, for recovery by hand.
  let keepCopies = false;
  const warnings: string[] = [];

  // The switch ignores the signal: stopping half-way through it is what must never happen.
  const step = <T>(stage: RestoreStage, work: () => Promise<T>) => runStep(stage, progress, work, { signal: stage === 'switch' ? undefined : request.signal });

  try {
    if (Buffer.byteLength(names.restored) > MAX_IDENTIFIER_BYTES) {
      throw new OperationError('locate', `POSTGRES_DB "${db}" is too long to build a copy beside it (${names.restored} exceeds 63 bytes)`);
    }
    // What the live database had written when the restore was asked for: the switch reads it again.
    const writesAtStart = await services.databaseAdmin.writeCounters(db).catch(() => null);
    if (!lock) lock = ownLock = await step('lock', () => services.lock.acquire('restore', request.startedBy));
    // A switch a killed process left half-done is settled before anything else.
    const recovery = await recoverSwitch(services, { startedBy: request.startedBy, heldLock: lock });
    if (recovery.action === 'failed') throw new OperationError('lock', `${recovery.message}; nothing was changed`);
    const recovered = recoveryNotice(recovery);
    if (recovered) warnings.push(recovered);
    if (ownLock) await removeLeftovers(services); // what killed runs left; only under a lock of our own
    const located = await step('locate', () => locateBackup(services, request.name));
    await step('space', async () => {
      await mkdir(staging, { recursive: true });
      const size = located.sizeBytes;
      const needs: SpaceNeed[] = [
        {
          what: `BACKUP_DIR (${services.settings.backupDir}): ${located.localPath ? '' : 'the fetched archive, '}its extracted members, the archive of the data the switch sets aside${request.safetyBackup === true ? ' and the safety backup' : ''}`,
          // The set-aside data is archived after the switch: room for it is checked now, before anything changes.
          neededBytes: (located.localPath ? 0 : size) + 2 * size + (request.safetyBackup === true ? size : 0),
          freeBytes: await freeBytesAt(staging),
        },
      ];
      const short = shortfalls(needs);
      if (short.length > 0) throw new OperationError('space', `not enough disk space: ${short.join('; ')}; nothing was changed`);
    });
    const archive = located.localPath ?? join(staging, request.name);
    if (!located.localPath) {
      await step('fetch', () => services.r2!.fetch(request.name, archive));
    }
    const membersDir = join(staging, 'members');
    const verified = await step('verify', async () => {
      await mkdir(membersDir, { recursive: true });
      // Against what the stores recorded: R2's SHA-256 of this name, when R2 holds it.
      return verifyArchive(archive, membersDir, { ...request.verify, ...(await verifyTarget(services)), expectedSha256: located.sha256 });
    });
    checks = verified.checks;
    if (!verified.ok) {
      const failed = verified.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`);
      throw new OperationError('verify', `${request.name} failed verification (${failed.join('; ')}); nothing was changed`);
    }
    if (!verified.manifest) warnings.push(`${request.name} has no manifest.json (old layout): it was checked for integrity, not by checksum`);
    warnings.push(...verified.warnings);
    const owner = await step('space', () => checkRoomToRestore(services, verified, request.withAddons === true));

    if (request.safetyBackup === true) {
      await step('safety-backup', async () => {
        const backup = await runBackup(services, { startedBy: `${request.startedBy} (safety backup before restoring ${request.name})`, heldLock: lock, prune: false, signal: request.signal });
        if (backup.ok) safetyBackup = backup.name;
        else if (backup.localArchive) {
          safetyBackup = backup.localArchive;
          warnings.push(`the safety backup ${backup.localArchive} is only local: ${backup.error.userMessage}`);
        } else {
          throw new OperationError('safety-backup', `the safety backup failed (${backup.error.stage}: ${backup.error.userMessage}); nothing was changed`);
        }
      });
    }

    const withAddons = request.withAddons === true && verified.members.addons !== null;
    if (request.withAddons && !withAddons) warnings.push('the archive holds no addons.tar.gz: addons were left as they are');
    // pg_restore works in the db container while the filestore is written here: side by side.
    // Everything is awaited even when one fails, so nothing still writes during cleanup.
    const copies = await Promise.allSettled([
      step('restore-database', async () => {
        restoredCreated = true;
        await services.databaseAdmin.createEmpty(names.restored, db);
        const dump = createReadStream(verified.members.dump);
        // Cancelling breaks pg_restore's input: it stops, and the copy is dropped below.
        const cancel = () => dump.destroy(new Error('cancelled'));
        request.signal?.addEventListener('abort', cancel, { once: true });
        try {
          await services.databaseAdmin.restoreDump(names.restored, dump);
        } finally {
          request.signal?.removeEventListener('abort', cancel);
        }
      }),
      (async () => {
        await step('restore-filestore', () => extractTarball(verified.members.filestore, stagedFilestore, verified.filestoreLayout, owner));
        if (withAddons) await step('restore-addons', () => extractTarball(verified.members.addons!, stagedAddons, ADDONS_LAYOUT, owner));
      })(),
    ]);
    const copyFailed = copies.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (copyFailed) throw copyFailed.reason;
    // The last moment a cancel can act: the switch, once begun, always runs to its end.
    if (request.signal?.aborted) throw new OperationError('restore-database', `cancelled: ${String(request.signal.reason ?? 'aborted')}`);

    const switchResult = await step('switch', () =>
      switchOver(
        {
          database: db,
          restoredDatabase: names.restored,
          previousDatabase: names.previous,
          filestoreRoot: join(services.settings.odooDataDir, 'filestore'),
          addons: withAddons ? { dir: services.settings.addonsDir, staged: names.addonsStaged, previous: names.addonsPrevious } : null,
          healthTimeoutMs: request.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
          restore: request.name,
        },
        services.databaseAdmin,
        services.odoo,
        new SwitchJournal(services.settings.backupDir),
      ),
    );
    switched = true;
    downtimeMs = switchResult.downtimeMs;
    const servingAfterMs = Date.now() - started;
    const writesDuringRestore = writesBetween(writesAtStart, switchResult.writeCounters);
    // Odoo serves the restored data now; what it served until the switch goes into an archive.
    let previousArchive: string | null = null;
    if (switchResult.setAside) {
      const archived = await step('archive-previous', () => archiveSetAside(services, names.previous, lock!, request.startedBy, request.name)).catch((error: unknown) => ({
        ok: false as const,
        error: asOperationError('archive-previous', error),
      }));
      if (archived.ok) {
        previousArchive = archived.archive;
        if (archived.localOnly) warnings.push(`the archive of the previous data, ${archived.archive}, is only local: ${archived.warning}`);
      } else {
        warnings.push(`the previous data could not be archived (${archived.error.userMessage}): it is kept as ${names.previous} and never dropped until an archive holds it`);
      }
    }
    // Never more than one set kept: older ones go even without a backup in between.
    try {
      await discardPreviousState(services, { keep: [names.previous, names.addonsPrevious] });
    } catch (error) {
      warnings.push(`older data kept by earlier restores could not be dropped: ${asOperationError('switch', error).userMessage}`);
    }
    const previousKept = (await services.databaseAdmin.databases()).includes(names.previous);
    return {
      ok: true,
      name: request.name,
      database: db,
      previousDatabase: previousKept ? names.previous : null,
      previousArchive,
      writesDuringRestore,
      safetyBackup,
      checksummed: verified.manifest !== null,
      addonsRestored: withAddons,
      durationMs: Date.now() - started,
      downtimeMs,
      servingAfterMs,
      warnings,
    };
  } catch (error) {
    const failure = asOperationError('restore', error);
    if (failure instanceof SwitchFailed) {
      downtimeMs = failure.downtimeMs;
      keepCopies = !failure.rolledBack;
      if (keepCopies) {
        await markNeedsAttention(services.settings.backupDir, { restore: request.name, at: new Date().toISOString(), message: failure.userMessage }).catch(() => undefined);
      }
    }
    return {
      ok: false,
      error: failure,
      durationMs: Date.now() - started,
      downtimeMs,
      liveUntouched: downtimeMs === null,
      checks,
      safetyBackup,
    };
  } finally {
    // The restored copies go unless they became the live data.
    if (restoredCreated && !switched && !keepCopies) await services.databaseAdmin.drop(names.restored).catch(() => undefined);
    if (!switched && !keepCopies) {
      await rm(stagedFilestore, { recursive: true, force: true }).catch(() => undefined);
      await rm(stagedAddons, { recursive: true, force: true }).catch(() => undefined);
    }
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await ownLock?.release();
  }
}

/**
 * Before anything live is touched: room for the restored filestore (and addons)
 * beside the live ones and for a second copy of the database; the owner the
 * files must get (the user Odoo runs as). Returns that owner.
 */
async function checkRoomToRestore(services: Services, verified: VerifiedArchive, withAddons: boolean) {
  const { odooDataDir, addonsDir, database } = services.settings;
  const liveSize = (await services.databaseAdmin.sizeOf(database)) ?? 0;
  const needs: SpaceNeed[] = [
    { what: `the Odoo data dir (${odooDataDir}): the restored filestore`, neededBytes: verified.filestoreBytes, freeBytes: await freeBytesAt(odooDataDir) },
    { what: `the database server: a second copy of ${database} while both exist`, neededBytes: liveSize, freeBytes: await services.databaseAdmin.freeBytes() },
  ];
  if (withAddons) needs.push({ what: `ADDONS_DIR (${addonsDir}): the restored addons`, neededBytes: verified.addonsBytes, freeBytes: await freeBytesAt(addonsDir) });
  const short = shortfalls(needs);
  if (short.length > 0) throw new OperationError('space', `not enough disk space: ${short.join('; ')}; nothing was changed`);

  // Odoo stopped (the restore may be the repair): the live filestore's owner is Odoo's.
  const owner = (await services.odoo.runsAs()) ?? (await ownerOf(join(odooDataDir, 'filestore')));
  const me = process.getuid?.() ?? 0;
  if (owner && me !== 0 && me !== owner.uid) {
    throw new OperationError('space', `odoo-ops runs as uid ${me} but Odoo as uid ${owner.uid}: restored files would not be Odoo's; run odoo-ops as root or as uid ${owner.uid}`);
  }
  return owner && me === 0 ? owner : null;
}

/** Writes between two readings of the counters, or null when either is unknown (or the statistics were reset). */
function writesBetween(start: WriteCounters | null, end: WriteCounters | null): WriteCounters | null {
  if (!start || !end) return null;
  const delta = { inserted: end.inserted - start.inserted, updated: end.updated - start.updated, deleted: end.deleted - start.deleted };
  return Object.values(delta).every((n) => n >= 0) ? delta : null;
}

async function ownerOf(path: string): Promise<{ uid: number; gid: number } | null> {
  const info = await stat(path).catch(() => null);
  return info ? { uid: info.uid, gid: info.gid } : null;
}
