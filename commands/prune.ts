import { asOperationError, OperationError } from '../services/operation-error.js';
import { recoverSwitch, recoveryNotice } from '../services/restore/recover-switch.js';
import { pruneOlderThan, type PruneResult } from '../services/backup/prune-backups.js';
import { discardPreviousState, type DiscardedState } from '../services/restore/discard-previous.js';
import { retentionOptions } from '../services/backup/retention-options.js';
import type { Services } from '../services/services.js';
import { pruneStore } from '../services/attachment-store/prune-store.js';
import type { SweepResult } from '../services/attachment-store/sweep-store.js';
import { removeLeftovers } from '../services/cleanup/remove-leftovers.js';

export type PruneReply =
  | {
      ok: true;
      result: PruneResult;
      discarded: DiscardedState | null;
      /** The attachment store's sweep; null when there is no store or it was never synced from here (nothing to sweep, or not known). */
      store: (SweepResult & { referenced: number }) | null;
      warnings: string[];
    }
  | { ok: false; error: OperationError };

/**
 * `prune`: applies the retention (BACKUP_KEEP_* or BACKUP_RETENTION_DAYS) now, locally and in R2, under the
 * operation lock (a running backup or restore makes it answer busy).
 * It also drops what the last restore kept beside the live data (the previous
 * database and filestore), and sweeps the attachment store of files no kept
 * backup's filestore.index and no live row refers to (pruneStore). `dryRun`
 * lists what would go and deletes nothing.
 */
export async function pruneCommand(services: Services, input: { startedBy: string; dryRun: boolean }): Promise<PruneReply> {
  let lock;
  try {
    lock = await services.lock.acquire('prune', input.startedBy);
    const recovery = await recoverSwitch(services, { startedBy: input.startedBy, heldLock: lock });
    if (recovery.action === 'failed') return { ok: false, error: new OperationError('recover', `${recovery.message}; nothing was pruned`) };
    if (!input.dryRun) await removeLeftovers(services);
    const result = await pruneOlderThan(services.backends, { ...(await retentionOptions(services)), dryRun: input.dryRun });
    const recovered = recoveryNotice(recovery);
    const warnings: string[] = recovered ? [recovered] : [];
    let discarded: DiscardedState | null = null;
    try {
      discarded = await discardPreviousState(services, { dryRun: input.dryRun });
    } catch (error) {
      warnings.push(`the data kept from the last restore could not be dropped: ${asOperationError('prune', error).userMessage}`);
    }
    let store: (SweepResult & { referenced: number }) | null = null;
    // The store is swept only when every store's backups were listed: a kept
    // backup that went unseen would leave its files unmarked.
    if (services.attachmentStore && (await services.attachmentStore.everSynced())) {
      if (result.failures.length > 0) warnings.push('the attachment store was not pruned: not every store of backups could be listed');
      else {
        const kept = [...result.decisions.filter((d) => d.keep).map((d) => d.name), ...result.futureDated.flatMap((f) => f.names)];
        try {
          store = await pruneStore(services, { kept: [...new Set(kept)], dryRun: input.dryRun });
        } catch (error) {
          warnings.push(asOperationError('store-prune', error).userMessage);
        }
      }
    }
    return { ok: true, result, discarded, store, warnings };
  } catch (error) {
    return { ok: false, error: asOperationError('prune', error) };
  } finally {
    await lock?.release();
  }
}
