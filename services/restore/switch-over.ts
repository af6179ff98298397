import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseAdmin } from '../database/database-admin.js';
import { OperationError } from '../operation-error.js';
import type { OdooControl } from './odoo-control.js';

/** The live names and the restored copies to put in their place. */
export interface SwitchPlan {
  database: string;
  restoredDatabase: string;
  previousDatabase: string;
  /** `<data dir>/filestore`. */
  filestoreRoot: string;
  /** Addons to swap: ADDONS_DIR and the names of the staged and set-aside entries in it; null leaves addons alone. */
  addons: { dir: string; staged: string; previous: string } | null;
  healthTimeoutMs: number;
}

export interface SwitchResult {
  /** How long Odoo was stopped or failing its health check. */
  downtimeMs: number;
}

/** Thrown when the switch failed; says whether the previous state serves again. */
export class SwitchFailed extends OperationError {
  constructor(
    readonly failure: OperationError,
    readonly rolledBack: boolean,
    readonly downtimeMs: number,
    readonly rollbackError?: unknown,
  ) {
    super(
      'switch',
      rolledBack
        ? `${failure.userMessage}; switched back to the previous database and filestore, Odoo is serving them again: nothing was lost`
        : `${failure.userMessage}; switching back ALSO failed (${(rollbackError as Error)?.message ?? rollbackError}): see the runbook "Restoring by hand"`,
      { cause: failure },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Moves every entry of `from` (but our own set-aside folders) into `to`, inside one directory tree. */
async function moveEntries(fromDir: string, toDir: string, skip: (name: string) => boolean): Promise<void> {
  for (const name of await readdir(fromDir)) {
    if (!skip(name)) await rename(join(fromDir, name), join(toDir, name));
  }
}

/**
 * The switch, the restore's only downtime: stop Odoo, rename the live database
 * to `previousDatabase` and the restored one to `database`, swap the filestore
 * directories (and the addons, when asked), start Odoo and wait for
 * `/web/health`. Every step done is recorded; when any step fails, the done
 * steps are undone in reverse order (each tried whatever the others did) and
 * Odoo is started on the previous data, then SwitchFailed says whether all of
 * that worked. Leaves the previous database and
 * filestore under their `_before_` names on success.
 */
export async function switchOver(plan: SwitchPlan, admin: DatabaseAdmin, odoo: OdooControl): Promise<SwitchResult> {
  const undo: Array<() => Promise<void>> = [];
  const liveFilestore = join(plan.filestoreRoot, plan.database);
  const stagedFilestore = join(plan.filestoreRoot, plan.restoredDatabase);
  const previousFilestore = join(plan.filestoreRoot, plan.previousDatabase);
  // Asked before the downtime starts: whether there is a live database to keep.
  const liveExists = (await admin.databases()).includes(plan.database);
  const stopped = Date.now();
  try {
    await odoo.stop();
    // Both renames in one transaction: the live name always holds a complete database.
    const forward: Array<[string, string]> = liveExists
      ? [
          [plan.database, plan.previousDatabase],
          [plan.restoredDatabase, plan.database],
        ]
      : [[plan.restoredDatabase, plan.database]];
    await admin.renameAll(forward);
    undo.push(() => admin.renameAll(forward.map(([from, to]) => [to, from] as [string, string]).reverse()));
    if (await exists(liveFilestore)) {
      await rename(liveFilestore, previousFilestore);
      undo.push(() => rename(previousFilestore, liveFilestore));
    }
    await rename(stagedFilestore, liveFilestore);
    undo.push(() => rename(liveFilestore, stagedFilestore));
    if (plan.addons) {
      const { dir, staged, previous } = plan.addons;
      const ours = (name: string) => name === staged || name === previous;
      await mkdir(join(dir, previous));
      // Entry-by-entry moves can stop half-way: their undo is recorded first, and
      // moves back whatever got moved.
      undo.push(() => moveEntries(join(dir, previous), dir, () => false));
      await moveEntries(dir, join(dir, previous), ours);
      undo.push(() => moveEntries(dir, join(dir, staged), ours));
      await moveEntries(join(dir, staged), dir, () => false);
    }
    await odoo.start();
    await odoo.waitHealthy('switch', plan.healthTimeoutMs);
    return { downtimeMs: Date.now() - stopped };
  } catch (error) {
    const cause = error instanceof OperationError ? error : new OperationError('switch', (error as Error).message, { cause: error });
    // Every undo step is tried, whatever failed before it, and Odoo is always
    // started again: a half rollback serving something beats a stopped Odoo.
    const failures: unknown[] = [];
    const attempt = async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (failure) {
        failures.push(failure);
      }
    };
    await attempt(() => odoo.stop());
    // In reverse: the restored copy moves back first, freeing the live name.
    for (const step of undo.reverse()) await attempt(step);
    await attempt(async () => {
      await odoo.start();
      await odoo.waitHealthy('rollback', plan.healthTimeoutMs);
    });
    throw new SwitchFailed(cause, failures.length === 0, Date.now() - stopped, failures[0]);
  }
}
