import { runBackup } from '../../backup/run-backup.js';
import { OperationError } from '../../operation-error.js';
import type { HeldLock } from '../../operation-lock.js';
import type { RestoreRun } from './restore-run.js';

/**
 * Step `safety-backup`, only when asked (`--safety-backup`): a normal backup
 * of the current state under the restore's lock, without retention. Only its
 * upload failing lets the restore go on (the local archive is kept, and said).
 */
export async function takeSafetyBackup(run: RestoreRun, lock: HeldLock): Promise<void> {
  const { services, request } = run;
  if (request.safetyBackup !== true) return;
  await run.step('safety-backup', async () => {
    const backup = await runBackup(services, { startedBy: `${request.startedBy} (safety backup before restoring ${request.name})`, heldLock: lock, prune: false, signal: request.signal });
    if (backup.ok) run.report.safetyBackup = backup.name;
    else if (backup.localArchive) {
      run.report.safetyBackup = backup.localArchive;
      run.warnings.push(`the safety backup ${backup.localArchive} is only local: ${backup.error.userMessage}`);
    } else {
      throw new OperationError('safety-backup', `the safety backup failed (${backup.error.stage}: ${backup.error.userMessage}); nothing was changed`);
    }
  });
}
