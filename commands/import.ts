import { stat } from 'node:fs/promises';
import { OperationError } from '../services/operation-error.js';
import { importFromR2 } from '../services/odoo-zip/fetch-import-key.js';
import { planImport, runImport, type ImportOutcome, type ImportPlan } from '../services/odoo-zip/run-import.js';
import type { RestoreProgress } from '../services/restore/run-restore.js';
import type { Services } from '../services/services.js';
import { stackScopeRefusal } from './stack-scope-refusal.js';

export interface ImportOptions {
  newUuid: boolean;
  safetyBackup: boolean;
}

export type ImportPlanReply = { ok: true; plan: ImportPlan } | { ok: false; error: OperationError };

/** What importing `file` would do (the zip's entries and manifest checked), or why it cannot; changes nothing. */
export async function planImportCommand(services: Services, file: string | undefined): Promise<ImportPlanReply> {
  if (!file || !/\.(zip|dump)$/i.test(file)) return { ok: false, error: new OperationError('usage', 'expected an Odoo database-manager or Odoo.sh .zip, or a .dump (pg_dump -Fc)') };
  if (!(await stat(file).catch(() => null))?.isFile()) return { ok: false, error: new OperationError('usage', `no such file: ${file}`) };
  const refused = await stackScopeRefusal(services);
  if (refused) return { ok: false, error: refused };
  try {
    return { ok: true, plan: await planImport(services, file) };
  } catch (error) {
    return { ok: false, error: error instanceof OperationError ? error : new OperationError('verify', (error as Error).message) };
  }
}

/**
 * `import`: runs the import through the safe restore (runImport, or
 * importFromR2 for a key). Permission and confirmation are the surface's
 * (`--yes`; on chat, the same confirmed offer as a restore).
 */
export async function importCommand(
  services: Services,
  input: ({ file: string } | { r2Key: string }) & { startedBy: string; options: ImportOptions; onProgress?: (p: RestoreProgress) => void; signal?: AbortSignal },
): Promise<ImportOutcome> {
  const refused = await stackScopeRefusal(services);
  if (refused) return { ok: false, error: refused, durationMs: 0, liveUntouched: true, safetyBackup: null };
  const request = { startedBy: input.startedBy, newUuid: input.options.newUuid, safetyBackup: input.options.safetyBackup, onProgress: input.onProgress, signal: input.signal };
  return 'file' in input ? runImport(services, { ...request, file: input.file }) : importFromR2(services, input.r2Key, request);
}
