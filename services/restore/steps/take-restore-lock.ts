import { removeLeftovers } from '../../cleanup/remove-leftovers.js';
import type { WriteCounters } from '../../database/database-admin.js';
import { OperationError } from '../../operation-error.js';
import type { HeldLock } from '../../operation-lock.js';
import { recoverSwitch, recoveryNotice } from '../recover-switch.js';
import { MAX_IDENTIFIER_BYTES } from '../restore-names.js';
import type { RestoreRun } from './restore-run.js';

/**
 * Step `lock`: reads the live database's write counters first (the switch
 * reads them again: the writes in between are what the set-aside archive
 * keeps), takes the operation lock unless the caller holds it (registering its
 * release), settles a switch a killed process left half-done, and removes what
 * killed runs left.
 */
export async function takeRestoreLock(run: RestoreRun): Promise<{ lock: HeldLock; writesAtStart: WriteCounters | null }> {
  const { services, request, names } = run;
  const db = services.settings.database;
  if (Buffer.byteLength(names.restored) > MAX_IDENTIFIER_BYTES) {
    throw new OperationError('locate', `POSTGRES_DB "${db}" is too long to build a copy beside it (${names.restored} exceeds 63 bytes)`);
  }
  const writesAtStart = await services.databaseAdmin.writeCounters(db).catch(() => null);
  let lock = request.heldLock ?? request.ownLock;
  if (!lock) {
    const own = await run.step('lock', () => services.lock.acquire('restore', request.startedBy));
    run.cleanup.defer(() => own.release());
    lock = own;
  }
  const recovery = await recoverSwitch(services, { startedBy: request.startedBy, heldLock: lock });
  if (recovery.action === 'failed') throw new OperationError('lock', `${recovery.message}; nothing was changed`);
  const recovered = recoveryNotice(recovery);
  if (recovered) run.warnings.push(recovered);
  // What killed runs left; only under a lock of our own.
  if (!request.heldLock) await removeLeftovers(services);
  return { lock, writesAtStart };
}
