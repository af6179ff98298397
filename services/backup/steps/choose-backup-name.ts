import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { backupFolder } from '../backup-name.js';
import { freeBackupName } from '../free-backup-name.js';
import type { BackupRun } from './backup-run.js';

/** The archive's name and the temporary paths that go with it. */
export interface BackupTarget {
  name: string;
  folder: string;
  /** Where the members are spooled. */
  staging: string;
  /** The archive while it is written; renamed to `name` only when complete. */
  partial: string;
}

/**
 * Step `prepare`: the first name at or after the run's time that no store
 * holds (a name is never written twice; R2 unreachable here, the local check
 * decides and the upload asks again), and the staging directory (0700),
 * registering the removal of the staging files and of any partial archive.
 */
export async function chooseBackupName(run: BackupRun): Promise<BackupTarget> {
  const { services, runId } = run;
  const dir = services.settings.backupDir;
  return run.step('prepare', async () => {
    const { name } = await freeBackupName(services.backends, run.takenAt, services.settings.timeZone);
    const folder = backupFolder(name);
    const target = { name, folder, staging: join(dir, `.${folder}.${runId}.staging`), partial: join(dir, `.${name}.${runId}.partial`) };
    run.cleanup.defer(() => rm(target.partial, { force: true }));
    run.cleanup.defer(() => rm(target.staging, { recursive: true, force: true }));
    await mkdir(target.staging, { recursive: true, mode: 0o700 });
    return target;
  });
}
