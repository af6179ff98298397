import { asOperationError } from '../../operation-error.js';
import type { HeldLock } from '../../operation-lock.js';
import { discardPreviousState } from '../discard-previous.js';
import { archiveSetAside } from '../set-aside.js';
import type { RestoreRun } from './restore-run.js';

/**
 * Step `archive-previous`, while Odoo already serves the restored data: the
 * database, filestore and addons set aside by the switch archived as a normal
 * backup (the writes made while the restore was prepared live only there), then
 * older sets left by earlier restores dropped if an archive holds them. Never
 * fails the restore: a failure is a warning, and the set-aside data is kept
 * until an archive holds it. Returns the archive's name, or null.
 */
export async function archivePrevious(run: RestoreRun, lock: HeldLock, setAside: boolean): Promise<string | null> {
  const { services, request, names } = run;
  let archive: string | null = null;
  if (setAside) {
    const archived = await run
      .step('archive-previous', () => archiveSetAside(services, names.previous, lock, request.startedBy, request.name))
      .catch((error: unknown) => ({ ok: false as const, error: asOperationError('archive-previous', error) }));
    if (archived.ok) {
      archive = archived.archive;
      if (archived.localOnly) run.warnings.push(`the archive of the previous data, ${archived.archive}, is only local: ${archived.warning}`);
    } else {
      run.warnings.push(`the previous data could not be archived (${archived.error.userMessage}): it is kept as ${names.previous} and never dropped until an archive holds it`);
    }
  }
  // Never more than one set kept: older ones go even without a backup in between (once archived).
  try {
    await discardPreviousState(services, { keep: [names.previous, names.addonsPrevious] });
  } catch (error) {
    run.warnings.push(`older data kept by earlier restores could not be dropped: ${asOperationError('switch', error).userMessage}`);
  }
  return archive;
}
