import type { DatabaseAdmin, WriteCounters } from '../database/database-admin.js';
import { failpoint } from '../failpoint.js';
import { OperationError } from '../operation-error.js';
import type { OdooControl } from './odoo-control.js';
import { hasRecord, type SwitchJournal, type SwitchJournalContent, type SwitchNames } from './switch-journal.js';
import { switchSteps, type SwitchContext } from './switch-steps.js';

/** The live names and the restored copies to put in their place. */
export interface SwitchPlan extends Omit<SwitchNames, 'liveExisted'> {
  healthTimeoutMs: number;
}

export interface SwitchResult {
  /** How long Odoo was stopped or failing its health check. */
  downtimeMs: number;
  /** The live database's write counters just before it was set aside (null when there was no live database). */
  writeCounters: WriteCounters | null;
  /** Whether a live database was set aside under `previousDatabase` (false when there was none to keep). */
  setAside: boolean;
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

/** Runs `work` as journalled step `step`: recorded as begun, taken, recorded as done. */
async function journalled(journal: SwitchJournal, step: string, direction: 'forward' | 'back', work: () => Promise<void>): Promise<void> {
  await journal.record(step, direction, 'begin');
  failpoint(`${direction === 'forward' ? 'switch' : 'rollback'}:${step}`);
  await work();
  failpoint(`${direction === 'forward' ? 'switch' : 'rollback'}:${step}:done`);
  await journal.record(step, direction, 'done');
}

/**
 * Takes the journalled switch forward from the first step not recorded done,
 * each step again from its start when it began but did not finish (the steps
 * are idempotent). Throws on the first failure.
 */
export async function runForward(journal: SwitchJournal, content: SwitchJournalContent, ctx: SwitchContext): Promise<void> {
  for (const step of switchSteps(content.names)) {
    if (hasRecord(content, step.name, 'forward', 'done')) continue;
    await journalled(journal, step.name, 'forward', () => step.forward(ctx));
  }
}

/**
 * Puts the previous database, filestore and addons back: Odoo stopped, the
 * undo of every step that began (and was not undone yet), in reverse order, each
 * tried whatever the others did, then Odoo started and waited for. Resolves with
 * the failures (none: the previous state serves again).
 */
export async function rollBack(journal: SwitchJournal, content: SwitchJournalContent, ctx: SwitchContext): Promise<unknown[]> {
  const failures: unknown[] = [];
  const attempt = async (step: string, work: () => Promise<void>) => {
    try {
      await journalled(journal, step, 'back', work);
    } catch (failure) {
      failures.push(failure);
    }
  };
  await attempt('stop-odoo', () => ctx.odoo.stop());
  const begun = switchSteps(content.names).filter((s) => hasRecord(content, s.name, 'forward', 'begin'));
  // In reverse: the restored copy moves back first, freeing the live name.
  for (const step of begun.reverse()) {
    if (step.undo && !hasRecord(content, step.name, 'back', 'done')) await attempt(step.name, () => step.undo!(ctx));
  }
  // A half rollback serving something beats a stopped Odoo.
  await attempt('start-odoo', async () => {
    await ctx.odoo.start();
    await ctx.odoo.waitHealthy('rollback', ctx.healthTimeoutMs);
  });
  return failures;
}

/**
 * The switch, the restore's only downtime: stop Odoo, rename the live database
 * to `previousDatabase` and the restored one to `database` (one transaction),
 * swap the filestore directories (and the addons, when asked), start Odoo and
 * wait for `/web/health`. Every step is journalled in BACKUP_DIR before it is
 * taken (`journal`), so a process killed half-way leaves a record that
 * recoverSwitch finishes or undoes. When a step fails, the begun steps are
 * undone in reverse order and Odoo is started on the previous data, then
 * SwitchFailed says whether that worked; the journal is kept only when it did
 * not. Leaves the previous database and filestore under their `_before_` names
 * on success.
 */
export async function switchOver(plan: SwitchPlan, admin: DatabaseAdmin, odoo: OdooControl, journal: SwitchJournal): Promise<SwitchResult> {
  const { healthTimeoutMs, ...rest } = plan;
  // Asked before the downtime starts: whether there is a live database to keep.
  const names: SwitchNames = { ...rest, liveExisted: (await admin.databases()).includes(plan.database) };
  let writeCounters: WriteCounters | null = null;
  const ctx: SwitchContext = { names, admin, odoo, healthTimeoutMs, onWriteCounters: (c) => (writeCounters = c) };
  await journal.begin(names);
  const content = (await journal.resume())!;
  const stopped = Date.now();
  try {
    await runForward(journal, content, ctx);
    await journal.finish();
    return { downtimeMs: Date.now() - stopped, writeCounters, setAside: names.liveExisted };
  } catch (error) {
    const cause = error instanceof OperationError ? error : new OperationError('switch', (error as Error).message, { cause: error });
    const failures = await rollBack(journal, content, ctx);
    if (failures.length === 0) await journal.finish();
    throw new SwitchFailed(cause, failures.length === 0, Date.now() - stopped, failures[0]);
  }
}
