import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../backup/run-backup.js';
import { asOperationError, type OperationError } from '../operation-error.js';
import type { HeldLock } from '../operation-lock.js';
import type { Services } from '../services.js';
import { leftoverPattern } from './restore-names.js';

// The archive that holds a set-aside database is written on the database
// itself (COMMENT ON DATABASE): the record can never outlive or miss its data.
const COMMENT_PREFIX = 'odoo-ops: archived in ';

/** The archive recorded on set-aside database `database` as holding it, or null when none does. */
export async function archiveOfSetAside(services: Pick<Services, 'databaseAdmin'>, database: string): Promise<string | null> {
  const comment = await services.databaseAdmin.comment(database);
  return comment?.startsWith(COMMENT_PREFIX) ? comment.slice(COMMENT_PREFIX.length).trim() : null;
}

/** Whether an archive that still exists (in BACKUP_DIR or R2) holds set-aside database `database`. */
export async function heldByArchive(services: Pick<Services, 'databaseAdmin' | 'local' | 'r2'>, database: string): Promise<boolean> {
  const archive = await archiveOfSetAside(services, database);
  if (!archive) return false;
  if (await services.local.describe(archive)) return true;
  return (await services.r2?.describe(archive).catch(() => null)) != null;
}

/** `<db>_before_<stamp>` → `.odoo-ops-before-<stamp>`, the addons a restore with addons set aside beside it. */
function setAsideAddonsName(database: string): string {
  return `.odoo-ops-before-${database.slice(-15)}`;
}

export type SetAsideOutcome = { ok: true; archive: string; localOnly: boolean; warning?: string } | { ok: false; error: OperationError };

/**
 * Archives the data a restore set aside — the database `previousDatabase`, its
 * filestore `filestore/<previousDatabase>` and the addons set aside with it (or
 * the current addons) — as a normal backup archive of POSTGRES_DB (`origin`
 * says what it is), locally and in R2, then records that an archive holds it.
 * Runs while Odoo serves the restored data: no downtime. Needs the operation
 * lock (`lock`). Never drops anything; never throws.
 */
export async function archiveSetAside(services: Services, previousDatabase: string, lock: HeldLock, startedBy: string, restoredName?: string): Promise<SetAsideOutcome> {
  const { odooDataDir, addonsDir } = services.settings;
  const filestoreDir = join(odooDataDir, 'filestore', previousDatabase);
  // No live filestore before the restore: an empty one is what it had.
  await mkdir(filestoreDir, { recursive: true }).catch(() => undefined);
  const setAsideAddons = join(addonsDir, setAsideAddonsName(previousDatabase));
  const addons = (await stat(setAsideAddons).catch(() => null))?.isDirectory() ? setAsideAddons : addonsDir;
  const origin = `the data set aside as ${previousDatabase}${restoredName ? ` when ${restoredName} was restored` : ''}`;
  const backup = await runBackup(services, {
    startedBy: `${startedBy} (archive of ${previousDatabase})`,
    heldLock: lock,
    prune: false,
    source: { database: previousDatabase, filestoreDir, addonsDir: addons, origin },
  });
  const archive = backup.ok ? backup.name : backup.localArchive;
  if (!archive) return { ok: false, error: asOperationError('archive-previous', backup.ok ? null : backup.error) };
  await services.databaseAdmin.setComment(previousDatabase, `${COMMENT_PREFIX}${archive}`);
  return backup.ok ? { ok: true, archive, localOnly: false } : { ok: true, archive, localOnly: true, warning: backup.error.userMessage };
}

/**
 * Archives every set-aside database (`<db>_before_<stamp>`) that no existing
 * archive holds: left by a restore whose own archive step failed or was
 * interrupted. Returns what it archived and the warnings for those it could not.
 */
export async function archivePendingSetAsides(services: Services, lock: HeldLock, startedBy: string): Promise<{ archived: string[]; warnings: string[] }> {
  const pattern = leftoverPattern(services.settings.database);
  const pending: string[] = [];
  for (const name of await services.databaseAdmin.databases()) {
    // Never archived, or its archive is gone (deleted by hand): archived (again) before anything of it may go.
    if (pattern.test(name) && name.includes('_before_') && !(await heldByArchive(services, name))) pending.push(name);
  }
  const archived: string[] = [];
  const warnings: string[] = [];
  for (const name of pending) {
    const outcome = await archiveSetAside(services, name, lock, startedBy);
    if (outcome.ok) archived.push(outcome.archive);
    else warnings.push(`the data set aside as ${name} could not be archived (${outcome.error.userMessage}); it is kept`);
  }
  return { archived, warnings };
}
