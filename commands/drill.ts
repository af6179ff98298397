import { appendDrillResult, type DrillResult } from '../services/drill/drill-record.js';
import type { DrillProgress } from '../services/drill/drill-run.js';
import { runDrill } from '../services/drill/run-drill.js';
import { asOperationError, type OperationError } from '../services/operation-error.js';
import type { Services } from '../services/services.js';
import { checkBackupName } from './restore.js';

export type DrillReply =
  | { ok: true; result: DrillResult; warnings: string[] }
  | { ok: false; error: OperationError };

/**
 * `drill [name]`: a restore drill of backup `name` (or the newest, from R2 when
 * configured) under the operation lock (a backup, restore or prune makes it
 * answer busy), its result recorded in BACKUP_DIR's drill record (status, list
 * and retention read it). `ok: true` means the drill ran, passed or not: the
 * result says which. A bad name is refused before anything runs.
 */
export async function drillCommand(services: Services, input: { startedBy: string; name?: string; onProgress?: (p: DrillProgress) => void }): Promise<DrillReply> {
  let name: string | undefined;
  if (input.name !== undefined) {
    const checked = checkBackupName(input.name);
    if (!checked.ok) return checked;
    name = checked.name;
  }
  let lock;
  try {
    lock = await services.lock.acquire('drill', input.startedBy);
    const result = await runDrill(services, { name, onProgress: input.onProgress });
    const warnings: string[] = [];
    await appendDrillResult(services.settings.backupDir, result).catch((error: Error) => warnings.push(`the drill's result could not be recorded in BACKUP_DIR: ${error.message}`));
    return { ok: true, result, warnings };
  } catch (error) {
    return { ok: false, error: asOperationError('drill', error) };
  } finally {
    await lock?.release();
  }
}
