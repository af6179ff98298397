import { removeLeftovers } from '../../cleanup/remove-leftovers.js';
import { OperationError } from '../../operation-error.js';
import type { HeldLock } from '../../operation-lock.js';
import { recoverSwitch, recoveryNotice } from '../../restore/recover-switch.js';
import type { BackupRun } from './backup-run.js';

/**
 * Step `lock`: takes the operation lock (unless the caller holds it: a
 * restore's safety backup, an archive of set-aside data), registering its
 * release; settles a restore's switch a killed process left half-done (never
 * a backup of a half-switched state); removes what killed runs left. Returns
 * the lock and the sentence to tell about a settled switch, if any.
 */
export async function takeBackupLock(run: BackupRun): Promise<{ lock: HeldLock; recovered: string | null }> {
  const { services, request } = run;
  let lock = request.heldLock ?? request.ownLock;
  if (!lock) {
    const own = await run.step('lock', () => services.lock.acquire('backup', request.startedBy));
    run.cleanup.defer(() => own.release());
    lock = own;
  }
  if (request.source) return { lock, recovered: null };
  const recovery = await run.step('recover', () => recoverSwitch(services, { startedBy: request.startedBy, heldLock: lock }));
  if (recovery.action === 'failed') throw new OperationError('recover', `${recovery.message}; no backup was taken`);
  // What killed runs left; only under a lock of our own.
  if (!request.heldLock) await removeLeftovers(services);
  return { lock, recovered: recoveryNotice(recovery) };
}
