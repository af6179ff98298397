import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { asOperationError } from '../operation-error.js';
import { BusyError, type HeldLock } from '../operation-lock.js';
import type { Services } from '../services.js';
import { markNeedsAttention } from './discard-previous.js';
import { hasRecord, SwitchJournal, type SwitchJournalContent } from './switch-journal.js';
import { rollBack, runForward } from './switch-over.js';
import type { SwitchContext } from './switch-steps.js';

export type SwitchRecovery =
  /** No switch was interrupted. */
  | { action: 'none' }
  /** A switch is recorded, but the process running it still holds the lock: it is not interrupted. */
  | { action: 'running' }
  /** The interrupted switch was taken to its end: Odoo serves the restored data. */
  | { action: 'finished'; restore: string; message: string }
  /** The interrupted switch was undone: Odoo serves the data it had before. */
  | { action: 'rolled-back'; restore: string; message: string }
  /** Neither worked: the journal and every copy are kept, and a person must look. */
  | { action: 'failed'; restore: string; message: string };

const HEALTH_TIMEOUT_MS = 180_000;

/** Whether the live name already holds the restored database: the one transaction of both renames committed. */
async function databasesSwitched(services: Services, content: SwitchJournalContent): Promise<boolean> {
  if (hasRecord(content, 'rename-databases', 'forward', 'done')) return true;
  if (!hasRecord(content, 'rename-databases', 'forward', 'begin')) return false;
  return !(await services.databaseAdmin.databases()).includes(content.names.restoredDatabase);
}

/**
 * Settles a restore's switch that a killed process left half-done, from its
 * journal in BACKUP_DIR: when the databases were already renamed it finishes
 * the switch (filestore and addons moved in, Odoo started and healthy), else —
 * or when Odoo does not come up on the restored data, or a rollback had begun
 * — it undoes every begun step, so that one consistent database and filestore
 * pair serves. The restored copies a rollback leaves are dropped; the data set
 * aside by a finished switch is kept until an archive holds it. Needs the
 * operation lock: takes it (`recover`) unless `heldLock` is given; a switch
 * whose process still holds the lock is left alone (`running`). When neither
 * direction works, the journal stays, the attention marker is written and
 * `failed` says what is wrong. Never throws for a failed recovery.
 */
export async function recoverSwitch(services: Services, options: { startedBy: string; heldLock?: HeldLock }): Promise<SwitchRecovery> {
  const journal = new SwitchJournal(services.settings.backupDir);
  if (!(await journal.read())) return { action: 'none' };
  let ownLock: HeldLock | undefined;
  if (!options.heldLock) {
    try {
      ownLock = await services.lock.acquire('recover', options.startedBy);
    } catch (error) {
      if (error instanceof BusyError) return { action: 'running' };
      throw error;
    }
  }
  try {
    const content = await journal.resume();
    if (!content) return { action: 'none' }; // settled meanwhile
    const restore = content.names.restore;
    const ctx: SwitchContext = { names: content.names, admin: services.databaseAdmin, odoo: services.odoo, healthTimeoutMs: HEALTH_TIMEOUT_MS };
    const rollingBack = content.records.some((r) => r.direction === 'back');
    if (!rollingBack && (await databasesSwitched(services, content))) {
      try {
        await runForward(journal, content, ctx);
        await journal.finish();
        return {
          action: 'finished',
          restore,
          message: `finished the restore of ${restore} that was interrupted in its switch: Odoo serves the restored data; the previous data is kept as ${content.names.previousDatabase} until an archive holds it (the next backup takes one)`,
        };
      } catch (error) {
        const failures = await rollBack(journal, content, ctx);
        return settleRollback(services, journal, content, failures, `could not finish it (${asOperationError('switch', error).userMessage})`);
      }
    }
    return settleRollback(services, journal, content, await rollBack(journal, content, ctx), 'its databases had not been switched yet');
  } finally {
    await ownLock?.release();
  }
}

async function settleRollback(services: Services, journal: SwitchJournal, content: SwitchJournalContent, failures: unknown[], why: string): Promise<SwitchRecovery> {
  const { restore, restoredDatabase, filestoreRoot, addons } = content.names;
  if (failures.length > 0) {
    const message = `the restore of ${restore} was interrupted in its switch and could not be settled (${asOperationError('switch', failures[0]).userMessage}): every copy is kept; see docs/restore.md "Restoring by hand"`;
    await markNeedsAttention(services.settings.backupDir, { restore, at: new Date().toISOString(), message }).catch(() => undefined);
    return { action: 'failed', restore, message };
  }
  await journal.finish();
  // The restored copies are only copies of an archive that still exists.
  await services.databaseAdmin.drop(restoredDatabase).catch(() => undefined);
  await rm(join(filestoreRoot, restoredDatabase), { recursive: true, force: true }).catch(() => undefined);
  if (addons) await rm(join(addons.dir, addons.staged), { recursive: true, force: true }).catch(() => undefined);
  return {
    action: 'rolled-back',
    restore,
    message: `rolled back the restore of ${restore} that was interrupted in its switch (${why}): Odoo serves the database and filestore it had before`,
  };
}

/** A recovery that needs no word, or the sentence to tell the user. */
export function recoveryNotice(recovery: SwitchRecovery): string | null {
  return recovery.action === 'none' || recovery.action === 'running' ? null : recovery.message;
}
