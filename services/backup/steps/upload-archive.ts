import { asOperationError, OperationError } from '../../operation-error.js';
import { writerIdentity } from '../../storage/foreign-writers.js';
import type { WrittenArchive } from '../archive-writer.js';
import type { BackupRun } from './backup-run.js';

/**
 * Step `upload`: the complete local archive to R2 (when configured), with its
 * SHA-256 and who wrote it in the object's metadata. R2 is asked again first:
 * a name another server took since `prepare` is never overwritten. A failed
 * upload is aborted by the store (no partial object); the result then says the
 * complete local archive is kept. Returns null on success (or without R2).
 */
export async function uploadArchive(run: BackupRun, name: string, written: WrittenArchive): Promise<OperationError | null> {
  const { services, request } = run;
  const r2 = services.r2;
  if (!r2) return null;
  // Recorded on the object: status and doctor tell another server's backups under the same prefix from ours.
  const writer = await writerIdentity(services.database).catch(() => undefined);
  try {
    if (await r2.describe(name)) throw new OperationError('upload', `${name} already exists in R2 (written by another server or by hand): refusing to overwrite it`);
    await run.step('upload', () =>
      r2.store(
        services.local.pathOf(name),
        name,
        { sha256: written.sha256, sizeBytes: written.sizeBytes, writer },
        (p) => run.progress({ stage: 'upload', state: 'bytes', bytes: p.bytes, total: p.total }),
        request.signal,
      ),
    );
    return null;
  } catch (error) {
    const cause = asOperationError('upload', error);
    return new OperationError('upload', `R2 upload failed: ${cause.userMessage}; the local archive ${name} is kept in ${services.settings.backupDir}`, { cause });
  }
}
