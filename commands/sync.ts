import { asOperationError, OperationError } from '../services/operation-error.js';
import type { SyncResult } from '../services/attachment-store/attachment-store.js';
import type { Services } from '../services/services.js';

export type SyncReply = { ok: true; result: SyncResult; warnings: string[] } | { ok: false; error: OperationError };

/** The filestore directory of the configured database. */
function filestoreDir(services: Services): string {
  return `${services.settings.odooDataDir}/filestore/${services.settings.database}`;
}

/**
 * `sync`: one pass of the attachment store sync (what the scheduler runs every
 * ATTACHMENT_SYNC_INTERVAL, and a backup runs first). It does not take the
 * operation lock: a sync only adds objects under the store's own prefix and
 * never races a backup or restore for anything; two syncs are kept apart by the
 * store's index lock. `ok` means the pass ran; files that could not be stored
 * are warnings, and `result.failed` names the uploads that failed (tried again
 * next pass; the bot's scheduler counts such a pass as failed).
 */
export async function syncCommand(services: Services): Promise<SyncReply> {
  if (!services.attachmentStore) return { ok: false, error: new OperationError('sync', 'the attachment store needs R2: set CF_R2_ENDPOINT, CF_R2_BUCKET and its keys') };
  try {
    const result = await services.attachmentStore.syncOnce(filestoreDir(services));
    const warnings: string[] = [];
    if (result.mismatched.length) warnings.push(`${result.mismatched.length} file(s) whose content does not match their name were not stored: ${result.mismatched.slice(0, 5).join(', ')}`);
    if (result.changing.length) warnings.push(`${result.changing.length} file(s) changed while read; tried again next pass`);
    if (result.failed.length) warnings.push(`${result.failed.length} upload(s) failed; tried again next pass: ${result.failed[0]!.message}`);
    return { ok: true, result, warnings };
  } catch (error) {
    return { ok: false, error: asOperationError('sync', error) };
  }
}

/** The store figures status shows (files, bytes, newest synced, lag), or null without R2. */
export async function storeStatus(services: Services) {
  return services.attachmentStore ? services.attachmentStore.status(filestoreDir(services)) : null;
}
