import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OperationError } from '../operation-error.js';
import type { Services } from '../services.js';
import { runImport, type ImportOutcome, type ImportRequest } from './run-import.js';

/** An object key a user may name for an import: below CF_R2_PREFIX, a .zip or .dump, no `..`. */
export function checkImportKey(key: string | undefined): string | null {
  const trimmed = key?.trim() ?? '';
  if (!/^[A-Za-z0-9._~\-/+=@ ]{1,512}\.(zip|dump)$/.test(trimmed) || trimmed.startsWith('/') || trimmed.split('/').includes('..')) return null;
  return trimmed;
}

/**
 * The R2 object `key` (after CF_R2_PREFIX) fetched into a temporary folder of
 * BACKUP_DIR; resolves with the file and a function that removes it. Throws
 * OperationError('fetch') when R2 is not configured, the key is not one
 * `checkImportKey` allows, or the download fails (nothing is left then).
 */
export async function fetchImportKey(services: Services, key: string): Promise<{ file: string; remove: () => Promise<void> }> {
  const checked = checkImportKey(key);
  if (!checked) throw new OperationError('usage', 'expected the key of a .zip or .dump in the R2 bucket (below CF_R2_PREFIX), without ..');
  if (!services.r2) throw new OperationError('fetch', 'R2 is not configured: an import by key needs CF_R2_*');
  const dir = join(services.settings.backupDir, `.import-${process.pid}-${randomBytes(4).toString('hex')}.staging`);
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, checked.split('/').at(-1)!);
    await services.r2.fetch(checked, file);
    return { file, remove };
  } catch (error) {
    await remove();
    throw error instanceof OperationError ? error : new OperationError('fetch', `could not fetch ${checked} from R2: ${(error as Error).message}`, { cause: error });
  }
}

/** `/odoo import <key>` once confirmed: fetches the key (fetchImportKey), runs runImport on it, removes the download. Never throws. */
export async function importFromR2(services: Services, key: string, request: Omit<ImportRequest, 'file'>): Promise<ImportOutcome> {
  const started = Date.now();
  let fetched;
  try {
    fetched = await fetchImportKey(services, key);
  } catch (error) {
    return { ok: false, error: error as OperationError, durationMs: Date.now() - started, liveUntouched: true, safetyBackup: null };
  }
  try {
    return await runImport(services, { ...request, file: fetched.file });
  } finally {
    await fetched.remove();
  }
}
