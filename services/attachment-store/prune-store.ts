import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { queryDatabase } from '../database/query-database.js';
import { OperationError } from '../operation-error.js';
import type { Services } from '../services.js';
import { readArchiveIndex } from './read-archive-index.js';
import { sweepStore, type SweepResult } from './sweep-store.js';
import { isStoreFname } from './store-layout.js';
import { walkFilestore } from './walk-filestore.js';

/**
 * How long a stored file is kept after nothing refers to it: a file synced
 * minutes ago may belong to a backup being written, or to a row of a
 * transaction not yet committed. A day covers both with room to spare.
 */
export const STORE_GRACE_SECONDS = 24 * 3600;

/**
 * Retention of the attachment store (mark and sweep): marks every
 * store_fname named by the filestore.index of each backup in `kept` (read
 * from BACKUP_DIR, or fetched from R2 into BACKUP_DIR and removed), by the
 * live database's ir_attachment rows and by the live filestore; then sweeps
 * the store's prefix (`filestore/<db>/` only), deleting what no mark holds
 * and was stored more than `graceSeconds` ago. `dryRun` deletes nothing and
 * lists what would go. Throws OperationError('store-prune'), deleting
 * nothing, when any kept backup or the live database cannot be read: an
 * unread mark must never look like "not referenced".
 */
export async function pruneStore(services: Services, input: { kept: string[]; dryRun: boolean; graceSeconds?: number; now?: Date }): Promise<SweepResult & { referenced: number }> {
  const store = services.attachmentStore;
  if (!store) throw new OperationError('store-prune', 'the attachment store needs R2, which is not configured');
  const referenced = new Set<string>();
  for (const name of input.kept) {
    let path = services.local.pathOf(name);
    let fetched: string | null = null;
    try {
      if (!(await services.local.describe(name))) {
        if (!services.r2 || !(await services.r2.describe(name))) throw new Error('it is in no store');
        fetched = path = join(services.settings.backupDir, `.store-prune-${randomBytes(4).toString('hex')}-${name}`);
        await services.r2.fetch(name, fetched);
      }
      for (const entry of (await readArchiveIndex(path)) ?? []) referenced.add(entry.storeFname);
    } catch (error) {
      throw new OperationError('store-prune', `cannot read the kept backup ${name} (${(error as Error).message}); nothing was deleted from the attachment store`, { cause: error });
    } finally {
      if (fetched) await rm(fetched, { force: true });
    }
  }
  const db = services.settings.database;
  try {
    const has = (await queryDatabase(services.database, db, "SELECT to_regclass('public.ir_attachment') IS NOT NULL", 'store-prune'))[0]?.[0] === 't';
    const rows = has ? await queryDatabase(services.database, db, 'SELECT DISTINCT store_fname FROM ir_attachment WHERE store_fname IS NOT NULL', 'store-prune') : [];
    for (const [f] of rows) if (f && isStoreFname(f)) referenced.add(f);
  } catch (error) {
    throw new OperationError('store-prune', `cannot read the live database's attachments (${(error as Error).message}); nothing was deleted from the attachment store`, { cause: error });
  }
  for (const f of (await walkFilestore(join(services.settings.odooDataDir, 'filestore', db))).files) referenced.add(f);
  const swept = await sweepStore(store, { referenced, graceSeconds: input.graceSeconds ?? STORE_GRACE_SECONDS, dryRun: input.dryRun, now: input.now });
  return { ...swept, referenced: referenced.size };
}
