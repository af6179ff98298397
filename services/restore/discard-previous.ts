import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OperationError } from '../operation-error.js';
import type { Services } from '../services.js';
import { ADDONS_LEFTOVER, leftoverPattern } from './restore-names.js';
import { heldByArchive } from './set-aside.js';
import { SwitchJournal } from './switch-journal.js';

/** In BACKUP_DIR while a failed switch-back needs a person: nothing a restore left is dropped meanwhile. */
export const ATTENTION_FILE = '.odoo-ops-restore-needs-attention.json';

/**
 * Records that a restore could not switch back: the copies it left (previous
 * and restored databases, filestores, addons) may be the only good data, so
 * discardPreviousState refuses until a person deletes the file.
 */
export async function markNeedsAttention(backupDir: string, details: { restore: string; at: string; message: string }): Promise<void> {
  await writeFile(join(backupDir, ATTENTION_FILE), `${JSON.stringify(details, null, 2)}\n`);
}

/** What discarding found and removed, for the log and the operator. */
export interface DiscardedState {
  databases: string[];
  directories: string[];
  /** Set-aside databases kept because no archive holds them (yet). */
  unarchived: string[];
}

/**
 * Drops what restores left beside the live data: the previous database and
 * filestore kept after a restore (`<db>_before_<stamp>`) once an archive that
 * still exists holds them (archiveSetAside), copies abandoned by a restore that
 * died (`<db>_restore_<stamp>`), and addons set aside in ADDONS_DIR. A set-aside
 * database no archive holds is never dropped: it may hold the only copy of
 * writes made while the restore was prepared (it is listed in `unarchived`).
 * Called after a successful backup (which now covers the current state) and by
 * `odoo-ops prune`, always under the operation lock, so no restore is running.
 * Never touches the live database or any other name. `dryRun` only finds them.
 * `keep` spares the names given (the set a restore just made). Refuses while a
 * failed switch-back awaits a person (markNeedsAttention), and while a switch's
 * journal is unfinished (recoverSwitch must settle it first).
 */
export async function discardPreviousState(
  services: Pick<Services, 'databaseAdmin' | 'settings' | 'local' | 'r2'>,
  options: { dryRun?: boolean; keep?: string[] } = {},
): Promise<DiscardedState> {
  const kept = new Set(options.keep ?? []);
  const attention = join(services.settings.backupDir, ATTENTION_FILE);
  const pending = await readFile(attention, 'utf8').catch(() => null);
  if (pending !== null) {
    throw new OperationError(
      'discard-previous',
      `a restore could not switch back (${attention}): the copies it left are kept for recovery by hand; delete that file once Odoo serves the right data`,
    );
  }
  if (await new SwitchJournal(services.settings.backupDir).read()) {
    throw new OperationError('discard-previous', 'a restore\'s switch was interrupted and is not settled yet: nothing restores left is dropped until it is');
  }
  const pattern = leftoverPattern(services.settings.database);
  const leftovers = (await services.databaseAdmin.databases()).filter((name) => pattern.test(name) && !kept.has(name));
  const databases: string[] = [];
  const unarchived: string[] = [];
  for (const name of leftovers) {
    if (name.includes('_before_') && !(await heldByArchive(services, name))) unarchived.push(name);
    else databases.push(name);
  }
  if (!options.dryRun) for (const name of databases) await services.databaseAdmin.drop(name);

  const directories: string[] = [];
  const filestoreRoot = join(services.settings.odooDataDir, 'filestore');
  for (const [root, matches] of [
    [filestoreRoot, (name: string) => pattern.test(name) && !unarchived.includes(name)],
    [services.settings.addonsDir, (name: string) => ADDONS_LEFTOVER.test(name) && !unarchived.some((db) => name.endsWith(db.slice(-15)))],
  ] as const) {
    const entries = await readdir(root).catch(() => [] as string[]);
    for (const name of entries.filter((entry) => matches(entry) && !kept.has(entry))) {
      if (!options.dryRun) await rm(join(root, name), { recursive: true, force: true });
      directories.push(join(root, name));
    }
  }
  return { databases, directories, unarchived };
}
