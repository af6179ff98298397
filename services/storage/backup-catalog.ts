import { backupTime } from '../backup/backup-name.js';
import type { Location, StorageBackend } from './storage-backend.js';

export interface BackupEntry {
  name: string;
  /** The time in the name, read in TZ. */
  createdAt: Date;
  /** Size of the copy found first (all copies of one archive have the same size). */
  sizeBytes: number;
  locations: Location[];
  /** The archive's SHA-256 where a store keeps it (R2 metadata). */
  sha256?: string;
}

export interface BackupListing {
  /** Newest first. */
  backups: BackupEntry[];
  /** Stores that could not be listed; their backups are missing from `backups`. */
  unreachable: { location: Location; message: string }[];
}

/**
 * Lists the backups of every store, merged by name, newest first. A store that
 * fails is reported in `unreachable` instead of failing the whole listing, so a
 * down R2 still leaves the local backups visible.
 */
export async function listBackups(backends: readonly StorageBackend[], timeZone: string): Promise<BackupListing> {
  const byName = new Map<string, BackupEntry>();
  const unreachable: BackupListing['unreachable'] = [];
  const results = await Promise.allSettled(backends.map((backend) => backend.list()));
  results.forEach((result, i) => {
    const location = backends[i]!.location;
    if (result.status === 'rejected') {
      unreachable.push({ location, message: result.reason instanceof Error ? result.reason.message : String(result.reason) });
      return;
    }
    for (const stored of result.value) {
      const createdAt = backupTime(stored.name, timeZone);
      if (!createdAt) continue;
      const entry = byName.get(stored.name);
      if (entry) entry.locations.push(location);
      else byName.set(stored.name, { name: stored.name, createdAt, sizeBytes: stored.sizeBytes, locations: [location], sha256: stored.sha256 });
    }
  });
  const backups = [...byName.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.name.localeCompare(a.name));
  return { backups, unreachable };
}
