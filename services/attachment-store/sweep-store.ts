import type { AttachmentStore } from './attachment-store.js';

export interface SweepResult {
  dryRun: boolean;
  /** Objects under the store's prefix looked at. */
  examined: number;
  /** Referenced by a retained archive's index or a live row, or younger than the grace period. */
  kept: number;
  /** Deleted, or that would be with dryRun. */
  deleted: string[];
}

/**
 * Mark-and-sweep retention of the attachment store: `referenced` is the mark
 * (every store_fname named by a retained archive's filestore.index, the live
 * database's ir_attachment rows and the live filestore); the sweep lists the
 * store's prefix page by page and deletes an object only when it is not
 * marked and was stored more than `graceSeconds` ago (a file synced since
 * the mark was taken is never swept). Objects outside the prefix are never
 * listed. `dryRun` deletes nothing and returns what would go.
 */
export async function sweepStore(store: AttachmentStore, input: { referenced: ReadonlySet<string>; graceSeconds: number; dryRun: boolean; now?: Date }): Promise<SweepResult> {
  const cutoff = (input.now ?? new Date()).getTime() - input.graceSeconds * 1000;
  const result: SweepResult = { dryRun: input.dryRun, examined: 0, kept: 0, deleted: [] };
  for await (const object of store.listObjects()) {
    result.examined++;
    if (input.referenced.has(object.storeFname) || object.lastModified.getTime() > cutoff) result.kept++;
    else result.deleted.push(object.storeFname);
  }
  if (!input.dryRun && result.deleted.length) await store.deleteObjects(result.deleted);
  return result;
}
