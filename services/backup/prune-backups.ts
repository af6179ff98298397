import { backupTime } from './backup-name.js';
import type { Location, StorageBackend } from '../storage/storage-backend.js';

export interface PruneOptions {
  retentionDays: number;
  timeZone: string;
  now?: Date;
  /** Only say what would be deleted. */
  dryRun?: boolean;
}

export interface PruneResult {
  cutoff: Date;
  dryRun: boolean;
  /** The newest backup anywhere: never deleted, whatever its age. */
  protectedName: string | null;
  /** Per store, the names deleted (or that would be, on a dry run). */
  deleted: { location: Location; names: string[] }[];
  /** Stores that could not be listed or pruned; nothing was deleted there. */
  failures: { location: Location; message: string }[];
}

/**
 * Deletes, in every store, the backups whose name dates them older than
 * `retentionDays`. Only names matching the backup pattern are considered, so
 * foreign files and objects are never touched. Never deletes the newest backup
 * of all, nor the last backup of a store. A store that fails is reported in
 * `failures` and the others are still pruned.
 */
export async function pruneOlderThan(backends: readonly StorageBackend[], options: PruneOptions): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.retentionDays * 86_400_000);
  const listed = await Promise.allSettled(backends.map((b) => b.list()));
  const failures: PruneResult['failures'] = [];
  const dated = listed.map((result, i) => {
    if (result.status === 'rejected') {
      failures.push({ location: backends[i]!.location, message: (result.reason as Error).message });
      return [];
    }
    return result.value
      .map((b) => ({ name: b.name, at: backupTime(b.name, options.timeZone) }))
      .filter((b): b is { name: string; at: Date } => b.at !== null)
      .sort((a, b) => b.at.getTime() - a.at.getTime());
  });
  const newest = dated.flat().sort((a, b) => b.at.getTime() - a.at.getTime())[0]?.name ?? null;

  const deleted: PruneResult['deleted'] = [];
  for (const [i, backups] of dated.entries()) {
    const backend = backends[i]!;
    if (listed[i]!.status === 'rejected') continue;
    // backups[0] is this store's newest: a store is never emptied.
    const names = backups.slice(1).filter((b) => b.at < cutoff && b.name !== newest).map((b) => b.name);
    if (names.length > 0 && !options.dryRun) {
      try {
        await backend.remove(names);
      } catch (error) {
        failures.push({ location: backend.location, message: (error as Error).message });
        continue;
      }
    }
    deleted.push({ location: backend.location, names });
  }
  return { cutoff, dryRun: options.dryRun === true, protectedName: newest, deleted, failures };
}
