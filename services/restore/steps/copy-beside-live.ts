import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OperationError } from '../../operation-error.js';
import { restoreFromStore } from '../../attachment-store/restore-from-store.js';
import { extractTarball, type Owner } from '../extract-tarball.js';
import { ADDONS_LAYOUT } from '../tar-entry-checker.js';
import type { VerifiedArchive } from '../verify-archive.js';
import type { RestoreRun } from './restore-run.js';

/**
 * Steps `restore-database`, `restore-filestore` and `restore-addons`, side by
 * side while Odoo serves: the dump into a new database `<db>_restore_<stamp>`
 * (pg_restore in the db container, stopping at the first error), the filestore
 * beside the live one and the addons (when asked) into ADDONS_DIR's staging
 * entry, files owned by `owner`. Registers their removal unless they become
 * the live data (`run.keepCopies`). Everything is awaited even when one part
 * fails, so nothing still writes during cleanup. Returns whether addons were
 * staged.
 */
export async function copyBesideLive(run: RestoreRun, verified: VerifiedArchive, owner: Owner | null): Promise<boolean> {
  const { services, request, names, step } = run;
  const db = services.settings.database;
  const stagedFilestore = join(services.settings.odooDataDir, 'filestore', names.restored);
  const stagedAddons = join(services.settings.addonsDir, names.addonsStaged);
  const withAddons = request.withAddons === true && verified.members.addons !== null;
  if (request.withAddons && !withAddons) run.warnings.push('the archive holds no addons.tar.gz: addons were left as they are');
  run.cleanup.defer(async () => {
    if (run.keepCopies) return;
    await services.databaseAdmin.drop(names.restored).catch(() => undefined);
    await rm(stagedFilestore, { recursive: true, force: true });
    await rm(stagedAddons, { recursive: true, force: true });
  });
  const copies = await Promise.allSettled([
    step('restore-database', async () => {
      await services.databaseAdmin.createEmpty(names.restored, db);
      const dump = createReadStream(verified.members.dump);
      // Cancelling breaks pg_restore's input: it stops, and the copy is dropped by the cleanup.
      const cancel = () => dump.destroy(new Error('cancelled'));
      request.signal?.addEventListener('abort', cancel, { once: true });
      try {
        await services.databaseAdmin.restoreDump(names.restored, dump);
      } finally {
        request.signal?.removeEventListener('abort', cancel);
      }
    }),
    (async () => {
      await step('restore-filestore', async () => {
        // A backup of the second kind names its files (filestore.index): live copies are linked, the rest fetched from the store.
        if (verified.storeEntries) {
          if (!services.attachmentStore) throw new OperationError('restore-filestore', 'this backup keeps its filestore in the attachment store, and R2 is not configured; nothing was changed');
          const liveDir = join(services.settings.odooDataDir, 'filestore', db);
          await restoreFromStore({ entries: verified.storeEntries, liveDir, targetDir: stagedFilestore, store: services.attachmentStore, owner: owner ?? undefined });
          return;
        }
        await extractTarball(verified.members.filestore, stagedFilestore, verified.filestoreLayout, owner);
      });
      if (withAddons) await step('restore-addons', () => extractTarball(verified.members.addons!, stagedAddons, ADDONS_LAYOUT, owner));
    })(),
  ]);
  const failed = copies.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  // The last moment a cancel can act: the switch, once begun, always runs to its end.
  if (request.signal?.aborted) throw new OperationError('restore-database', `cancelled: ${String(request.signal.reason ?? 'aborted')}`);
  return withAddons;
}
