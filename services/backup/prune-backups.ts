import { backupTime, futureDatedWarning, splitFutureDated } from './backup-name.js';
import { OperationError } from '../operation-error.js';
import { gfsEnabled, selectGfs, type GfsDecision, type GfsPolicy } from './gfs-retention.js';
import type { Location, StorageBackend } from '../storage/storage-backend.js';

export interface PruneOptions {
  retentionDays: number;
  timeZone: string;
  now?: Date;
  /** Only say what would be deleted. */
  dryRun?: boolean;
  /** BACKUP_KEEP_*: when any is set, grandfather-father-son selection replaces retentionDays. */
  keep?: GfsPolicy;
  /** Names never deleted whatever their age (the newest backup that passed a drill). */
  protect?: string[];
}

export interface PruneResult {
  cutoff: Date;
  dryRun: boolean;
  /** The newest backup dated in the past, anywhere: never deleted, whatever its age. */
  protectedName: string | null;
  /** Per store, the names deleted (or that would be, on a dry run). */
  deleted: { location: Location; names: string[] }[];
  /** Stores that could not be listed or pruned; nothing was deleted there. */
  failures: { location: Location; message: string }[];
  /** Per store, names dated in the future (FUTURE_TOLERANCE_MS): never the newest, never deleted. */
  futureDated: { location: Location; names: string[] }[];
  /** What the operator should look at (future-dated names), one sentence each. */
  warnings: string[];
  /** `days`: BACKUP_RETENTION_DAYS; `gfs`: BACKUP_KEEP_*. */
  rule: 'days' | 'gfs';
  /** Every past-dated backup of the reachable stores, newest first: kept or not, and why (what `prune --dry-run` shows). */
  decisions: GfsDecision[];
}

interface Dated {
  name: string;
  createdAt: Date;
}

/**
 * Deletes, in every store, the backups whose name dates them older than
 * `retentionDays` or, when `keep` sets any BACKUP_KEEP_*, those the
 * grandfather-father-son selection (selectGfs, over the names of all stores
 * together) does not keep; never a name in `protect`. `decisions` says, for
 * every backup, what keeps it or why it goes (also on a dry run). Only names matching the backup pattern are considered, so
 * foreign files and objects are never touched. Names dated in the future
 * (more than FUTURE_TOLERANCE_MS ahead of `now`) are never deleted and never
 * count as the newest: one such name must not make every real backup look old.
 * Never deletes the newest past-dated backup of all, nor the newest past-dated
 * backup of a store. Refuses the whole run, deleting nothing anywhere (throws an
 * OperationError of stage `retention`), when a store that holds backups would be
 * left without one dated in the past. A store that fails is reported in
 * `failures` and the others are still pruned.
 */
export async function pruneOlderThan(backends: readonly StorageBackend[], options: PruneOptions): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.retentionDays * 86_400_000);
  const listed = await Promise.allSettled(backends.map((b) => b.list()));
  const failures: PruneResult['failures'] = [];
  const stores = listed.map((result, i) => {
    const backend = backends[i]!;
    if (result.status === 'rejected') {
      failures.push({ location: backend.location, message: (result.reason as Error).message });
      return null;
    }
    const dated = result.value
      .map((b) => ({ name: b.name, createdAt: backupTime(b.name, options.timeZone) }))
      .filter((b): b is Dated => b.createdAt !== null)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return { backend, ...splitFutureDated(dated, now) };
  });
  const reachable = stores.filter((s): s is NonNullable<typeof s> => s !== null);
  const newest = reachable.flatMap((s) => s.past).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0]?.name ?? null;

  const futureDated = reachable.filter((s) => s.future.length > 0).map((s) => ({ location: s.backend.location, names: s.future.map((b) => b.name) }));
  const warnings: string[] = [];
  if (futureDated.length > 0) {
    const where = new Map<string, Location[]>();
    for (const { location, names } of futureDated) for (const name of names) where.set(name, [...(where.get(name) ?? []), location]);
    warnings.push(futureDatedWarning([...where].map(([name, locations]) => ({ name, locations }))));
  }

  // One decision per name over all stores, so local and R2 keep the same set.
  const protect = new Set(options.protect ?? []);
  const allPast = [...new Set(reachable.flatMap((s) => s.past.map((b) => b.name)))];
  const decisions: GfsDecision[] = gfsEnabled(options.keep)
    ? selectGfs(allPast, options.keep, [...protect])
    : allPast
        .map((name) => ({ name, createdAt: backupTime(name, options.timeZone)! }))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map(({ name, createdAt }): GfsDecision => {
          const reasons = [
            ...(name === newest ? ['newest backup'] : []),
            ...(protect.has(name) ? ['newest drilled backup'] : []),
            ...(createdAt >= cutoff ? [`within ${options.retentionDays} days (BACKUP_RETENTION_DAYS)`] : []),
          ];
          return reasons.length > 0 ? { name, keep: true, reasons } : { name, keep: false, reasons: [`older than ${options.retentionDays} days (BACKUP_RETENTION_DAYS)`] };
        });
  const goes = new Set(decisions.filter((d) => !d.keep).map((d) => d.name));
  // past[0] is the store's newest past-dated backup: kept, so a store is never emptied.
  const plan = reachable.map((s) => ({ ...s, names: s.past.slice(1).filter((b) => goes.has(b.name) && b.name !== newest && !protect.has(b.name)).map((b) => b.name) }));
  // Checked on the plan as a whole, before anything is deleted anywhere.
  const stranded = plan.filter((s) => s.past.length - s.names.length < 1 && s.past.length + s.future.length > 0);
  if (stranded.length > 0) {
    const which = stranded.map((s) => `${s.backend.location} holds ${s.future.length > 0 ? `only backups dated in the future (${s.future.map((b) => b.name).join(', ')})` : 'no backup left'}`);
    throw new OperationError(
      'retention',
      `refusing to prune: ${which.join('; ')}, so it would be left without a backup dated before ${now.toISOString()}; nothing was deleted. ` +
        'Check this server\'s clock and where those names came from (move them away if they are not this server\'s backups), then prune again',
    );
  }

  const deleted: PruneResult['deleted'] = [];
  for (const { backend, names } of plan) {
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
  return { cutoff, dryRun: options.dryRun === true, protectedName: newest, deleted, failures, futureDated, warnings, rule: gfsEnabled(options.keep) ? 'gfs' : 'days', decisions };
}
