import { backupTime, isBackupName } from '../services/backup/backup-name.js';
import { OperationError } from '../services/operation-error.js';
import { printableInput } from '../services/printable-input.js';
import type { HeldLock } from '../services/operation-lock.js';
import { locateBackup, type LocatedBackup } from '../services/restore/locate-backup.js';
import { readArchiveLabel } from '../services/restore/read-archive-label.js';
import { runRestore, type RestoreOutcome, type RestoreProgress } from '../services/restore/run-restore.js';
import { verifyBackup, type VerifyOutcome } from '../services/restore/verify-backup.js';
import type { Services } from '../services/services.js';
import { stackScopeRefusal } from './stack-scope-refusal.js';

/** What the user is told when a name is not a backup name. */
export const EXPECTED_NAME = 'a backup name such as odoo_backup_2026-01-31_02-00-00.tar.gz';

export interface RestoreOptions {
  /** Take a safety backup of the current state first (off unless asked: the set-aside data is archived after the switch). */
  safetyBackup: boolean;
  withAddons: boolean;
}

/** Everything a user needs to decide on a restore, before anything happens. */
export interface RestorePlan {
  kind: 'restore-plan';
  backup: LocatedBackup;
  /** When the backup was taken (from its name), or null. */
  takenAt: Date | null;
  /** The live database the restore replaces. */
  database: string;
  /**
   * The database the archive was taken of, when a local archive says so
   * (read for the plan only when asked); null when unknown before it is
   * fetched or verified, in which case the restore's result says it.
   */
  archiveDatabase: string | null;
  options: RestoreOptions;
  now: Date;
}

export type PlanReply = { ok: true; plan: RestorePlan } | { ok: false; error: OperationError };

export type CheckedName = { ok: true; name: string } | { ok: false; error: OperationError };

/**
 * The one place a backup name typed by a user is checked, before any store is
 * asked: the archive's name, or its folder name without `.tar.gz` (as the
 * archive's top folder and docs/restore.md spell it), normalised to the
 * archive's name. Anything else is refused with a usage error that echoes the
 * input escaped and cut (printableInput).
 */
export function checkBackupName(name: string | undefined): CheckedName {
  const trimmed = name?.trim();
  const archive = trimmed && !trimmed.endsWith('.tar.gz') ? `${trimmed}.tar.gz` : trimmed;
  if (archive !== undefined && isBackupName(archive)) return { ok: true, name: archive };
  return {
    ok: false,
    error: new OperationError('usage', `expected ${EXPECTED_NAME}${name ? `, not "${printableInput(name)}"` : ''}; the names are in \`list\``),
  };
}

/** How long a plan may spend reading a local archive for its database name before it says nothing of it. */
const LABEL_TIMEOUT_MS = 10_000;

/**
 * What restoring `name` would do, checked against the stores: the name must
 * match the pattern (with or without `.tar.gz`; the plan holds the archive's
 * name), odoo-ops must know which compose stack is its own, and the backup
 * must exist locally or in R2. With `readLabel` (a plan shown to a person), a
 * local archive is read for the database it was taken of (at most 10 s).
 * Changes nothing.
 */
export async function planRestore(services: Services, name: string | undefined, options: RestoreOptions, how: { readLabel?: boolean } = {}): Promise<PlanReply> {
  const checked = checkBackupName(name);
  if (!checked.ok) return checked;
  const refused = await stackScopeRefusal(services);
  if (refused) return { ok: false, error: refused };
  try {
    const backup = await locateBackup(services, checked.name);
    const label = how.readLabel && backup.localPath ? await readArchiveLabel(backup.localPath, AbortSignal.timeout(LABEL_TIMEOUT_MS)) : null;
    return {
      ok: true,
      plan: {
        kind: 'restore-plan',
        backup,
        takenAt: backupTime(checked.name, services.settings.timeZone),
        database: services.settings.database,
        archiveDatabase: label?.database ?? null,
        options,
        now: new Date(),
      },
    };
  } catch (error) {
    return { ok: false, error: error instanceof OperationError ? error : new OperationError('locate', (error as Error).message) };
  }
}

/**
 * `restore`: runs the restore pipeline. Permission and confirmation are the
 * surface's (a Slack admin pressed the confirmed button; `--yes` on the terminal).
 * Refused, with nothing touched, when odoo-ops cannot tell which compose stack is its own.
 */
export async function restoreCommand(
  services: Services,
  input: { name: string; startedBy: string; options: RestoreOptions; onProgress?: (p: RestoreProgress) => void; heldLock?: HeldLock; ownLock?: HeldLock; signal?: AbortSignal },
): Promise<RestoreOutcome> {
  const refused = await stackScopeRefusal(services);
  if (refused) return { ok: false, error: refused, durationMs: 0, downtimeMs: null, liveUntouched: true, safetyBackup: null };
  return runRestore(services, {
    name: input.name,
    startedBy: input.startedBy,
    safetyBackup: input.options.safetyBackup,
    withAddons: input.options.withAddons,
    onProgress: input.onProgress,
    heldLock: input.heldLock,
    ownLock: input.ownLock,
    signal: input.signal,
  });
}

/** `verify`: the integrity check of one backup (named with or without `.tar.gz`), alone; changes nothing. */
export async function verifyCommand(services: Services, name: string | undefined): Promise<VerifyOutcome> {
  const checked = checkBackupName(name);
  if (!checked.ok) return { ok: false, error: checked.error, durationMs: 0 };
  return verifyBackup(services, checked.name);
}
