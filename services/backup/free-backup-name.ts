import { formatBackupName } from './backup-name.js';
import { withDeadline } from '../health/run-probe.js';
import type { Location, StorageBackend } from '../storage/storage-backend.js';
import { OperationError } from '../operation-error.js';

/** A backup taken a minute of names after another is not "the same second": something else is wrong. */
const MAX_STEPS = 60;
/** How long R2 may take to say whether it holds a name; past that the upload's own check decides. */
const ASK_TIMEOUT_MS = 10_000;

export interface FreeName {
  name: string;
  /** Stores that could not be asked (R2 down): the upload checks the key again before writing. */
  unchecked: { location: Location; message: string }[];
}

/**
 * The backup name for a backup taken at `at` that no store holds: the name of
 * `at`, else of the next second, and so on (at most a minute on). Asks each
 * store for each candidate (a stat in BACKUP_DIR, a HEAD in R2) and writes
 * nothing. A store that cannot answer is skipped from then on and listed in
 * `unchecked`; BACKUP_DIR must answer. Call it under the operation lock, so no
 * other backup of this server takes the same name meanwhile.
 */
export async function freeBackupName(backends: readonly StorageBackend[], at: Date, timeZone: string): Promise<FreeName> {
  const unchecked: FreeName['unchecked'] = [];
  const asking = [...backends];
  for (let step = 0; step < MAX_STEPS; step++) {
    const name = formatBackupName(new Date(at.getTime() + step * 1000), timeZone);
    let taken = false;
    for (const backend of [...asking]) {
      try {
        if (await withDeadline(backend.describe(name), ASK_TIMEOUT_MS, `asking ${backend.location} for ${name}`)) taken = true;
      } catch (error) {
        if (backend.location === 'local') throw error;
        unchecked.push({ location: backend.location, message: (error as Error).message });
        asking.splice(asking.indexOf(backend), 1);
      }
      if (taken) break;
    }
    if (!taken) return { name, unchecked };
  }
  throw new OperationError('prepare', `every backup name from ${formatBackupName(at, timeZone)} to a minute later is already taken in ${backends.map((b) => b.location).join(' or ')}`);
}
