import { mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../backup/run-backup.js';
import { asOperationError, type OperationError } from '../operation-error.js';
import type { HeldLock } from '../operation-lock.js';
import type { Services } from '../services.js';
import { leftoverPattern } from './restore-names.js';

/** In BACKUP_DIR: which set-aside databases an archive holds. Only those may ever be dropped. */
const REGISTRY_FILE = '.odoo-ops-set-aside.json';

export interface SetAsideArchive {
  /** The set-aside database, `<db>_before_<stamp>`. */
  database: string;
  /** The archive that holds it, its filestore and addons. */
  archive: string;
  archivedAt: string;
}

/** The records of set-aside data held by an archive, by database name. */
export async function archivedSetAsides(backupDir: string): Promise<Record<string, SetAsideArchive>> {
  const text = await readFile(join(backupDir, REGISTRY_FILE), 'utf8').catch(() => null);
  return text === null ? {} : (JSON.parse(text) as Record<string, SetAsideArchive>);
}

async function recordArchived(backupDir: string, record: SetAsideArchive): Promise<void> {
  const records = { ...(await archivedSetAsides(backupDir)), [record.database]: record };
  const path = join(backupDir, REGISTRY_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(records, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
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
  const { odooDataDir, addonsDir, backupDir } = services.settings;
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
  await recordArchived(backupDir, { database: previousDatabase, archive, archivedAt: new Date().toISOString() });
  return backup.ok ? { ok: true, archive, localOnly: false } : { ok: true, archive, localOnly: true, warning: backup.error.userMessage };
}

/**
 * Archives every set-aside database (`<db>_before_<stamp>`) that no archive
 * holds yet: left by a restore whose own archive step failed or was
 * interrupted. Returns what it archived and the warnings for those it could not.
 */
export async function archivePendingSetAsides(services: Services, lock: HeldLock, startedBy: string): Promise<{ archived: string[]; warnings: string[] }> {
  const { database, backupDir } = services.settings;
  const pattern = leftoverPattern(database);
  const records = await archivedSetAsides(backupDir);
  const pending = (await services.databaseAdmin.databases()).filter((name) => pattern.test(name) && name.includes('_before_') && !records[name]);
  const archived: string[] = [];
  const warnings: string[] = [];
  for (const name of pending) {
    const outcome = await archiveSetAside(services, name, lock, startedBy);
    if (outcome.ok) archived.push(outcome.archive);
    else warnings.push(`the data set aside as ${name} could not be archived (${outcome.error.userMessage}); it is kept`);
  }
  return { archived, warnings };
}

/** Names of set-aside filestores in the data dir, for status and discard. */
export async function setAsideDirectories(services: Pick<Services, 'settings'>): Promise<string[]> {
  const pattern = leftoverPattern(services.settings.database);
  return (await readdir(join(services.settings.odooDataDir, 'filestore')).catch(() => [] as string[])).filter((name) => pattern.test(name));
}
