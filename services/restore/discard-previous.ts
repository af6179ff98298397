import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Services } from '../services.js';
import { ADDONS_LEFTOVER, leftoverPattern } from './restore-names.js';

/** What discarding found and removed, for the log and the operator. */
export interface DiscardedState {
  databases: string[];
  directories: string[];
}

/**
 * Drops what restores left beside the live data: the previous database and
 * filestore kept after a restore (`<db>_before_<stamp>`), copies abandoned by a
 * restore that died (`<db>_restore_<stamp>`), and addons set aside in ADDONS_DIR.
 * Called after a successful backup (which now covers the current state) and by
 * `odoo-ops prune`, always under the operation lock, so no restore is running.
 * Never touches the live database or any other name. `dryRun` only finds them.
 */
export async function discardPreviousState(services: Pick<Services, 'databaseAdmin' | 'settings'>, options: { dryRun?: boolean } = {}): Promise<DiscardedState> {
  const pattern = leftoverPattern(services.settings.database);
  const databases = (await services.databaseAdmin.databases()).filter((name) => pattern.test(name));
  if (!options.dryRun) for (const name of databases) await services.databaseAdmin.drop(name);

  const directories: string[] = [];
  const filestoreRoot = join(services.settings.odooDataDir, 'filestore');
  for (const [root, matches] of [
    [filestoreRoot, (name: string) => pattern.test(name)],
    [services.settings.addonsDir, (name: string) => ADDONS_LEFTOVER.test(name)],
  ] as const) {
    const entries = await readdir(root).catch(() => [] as string[]);
    for (const name of entries.filter(matches)) {
      if (!options.dryRun) await rm(join(root, name), { recursive: true, force: true });
      directories.push(join(root, name));
    }
  }
  return { databases, directories };
}
