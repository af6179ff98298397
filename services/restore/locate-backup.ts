import { OperationError } from '../operation-error.js';
import type { Services } from '../services.js';

/** Where a backup to restore or verify was found. */
export interface LocatedBackup {
  name: string;
  sizeBytes: number;
  /** The file in BACKUP_DIR, or null when only R2 holds it (it must be fetched). */
  localPath: string | null;
  /** The SHA-256 R2 recorded for this name, when R2 holds it. */
  sha256?: string;
  locations: Array<'local' | 'r2'>;
}

/**
 * Finds backup `name` in BACKUP_DIR and in R2. A local copy is used when
 * there is one; R2's recorded SHA-256 is still looked up to check it against
 * (R2 unreachable then only costs that check). Throws OperationError('locate')
 * when no store holds it.
 */
export async function locateBackup(services: Pick<Services, 'local' | 'r2'>, name: string): Promise<LocatedBackup> {
  const local = await services.local.describe(name);
  let remote = null;
  let remoteError: unknown = null;
  try {
    remote = services.r2 ? await services.r2.describe(name) : null;
  } catch (error) {
    remoteError = error;
  }
  if (!local && !remote) {
    const r2 = !services.r2 ? ' (R2 is not configured)' : remoteError ? `, and R2 could not be asked (${(remoteError as Error).message})` : ' or in R2';
    throw new OperationError('locate', `no backup named ${name} in BACKUP_DIR${r2}`);
  }
  return {
    name,
    sizeBytes: local?.sizeBytes ?? remote!.sizeBytes,
    localPath: local ? services.local.pathOf(name) : null,
    sha256: remote?.sha256,
    locations: [...(local ? (['local'] as const) : []), ...(remote ? (['r2'] as const) : [])],
  };
}
