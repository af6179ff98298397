import { asOperationError } from '../../operation-error.js';
import type { HeldLock } from '../../operation-lock.js';
import { discardPreviousState, type DiscardedState } from '../../restore/discard-previous.js';
import { archivePendingSetAsides } from '../../restore/set-aside.js';
import { retentionOptions } from '../retention-options.js';
import { pruneOlderThan, type PruneResult } from '../prune-backups.js';
import type { BackupRun } from './backup-run.js';

/**
 * Steps `archive-set-aside`, `discard-previous` and `prune`, once the backup
 * is stored (an archive of set-aside data skips them): data a restore set
 * aside is archived if no archive holds it yet, then what restores left is
 * dropped (only what an archive holds), then retention. None of them fails the
 * backup: each problem becomes a warning.
 */
export async function tidyAfterBackup(run: BackupRun, lock: HeldLock): Promise<{ pruned: PruneResult | null; discarded: DiscardedState | null; warnings: string[] }> {
  const { services, request, step } = run;
  const warnings: string[] = [];
  let pruned: PruneResult | null = null;
  let discarded: DiscardedState | null = null;
  if (request.source) return { pruned, discarded, warnings };
  try {
    const archived = await step('archive-set-aside', () => archivePendingSetAsides(services, lock, request.startedBy));
    warnings.push(...archived.warnings);
    discarded = await step('discard-previous', () => discardPreviousState(services));
    for (const kept of discarded.unarchived) warnings.push(`kept ${kept}: data a restore set aside that no archive holds yet`);
  } catch (error) {
    warnings.push(`the data kept from the last restore could not be dropped: ${asOperationError('discard-previous', error).userMessage}`);
  }
  if (request.prune === false) return { pruned, discarded, warnings };
  try {
    pruned = await step('prune', async () => pruneOlderThan(services.backends, await retentionOptions(services)));
    for (const failure of pruned.failures) warnings.push(`retention could not prune ${failure.location}: ${failure.message}`);
    warnings.push(...pruned.warnings);
  } catch (error) {
    warnings.push(`retention did not run: ${asOperationError('prune', error).userMessage}`);
  }
  return { pruned, discarded, warnings };
}
