import { runBackup, type BackupOutcome, type BackupProgress } from '../services/backup/run-backup.js';
import type { Services } from '../services/services.js';
import { stackScopeRefusal } from './stack-scope-refusal.js';

export interface BackupCommandInput {
  /** Who asks, as shown to anyone told "busy" and in the channel: a Slack user id, `cli (user@host)`, `schedule`. */
  startedBy: string;
  onProgress?: (progress: BackupProgress) => void;
  /** Cancels the backup cleanly (the bot shutting down). */
  signal?: AbortSignal;
}

/**
 * `backup`: a full backup now. Permission is checked by the caller's surface
 * (Slack admins; the terminal and the schedule are trusted). The reply is the
 * pipeline's outcome, success or failure, as a value. Refused before anything
 * is written when odoo-ops cannot tell which compose stack is its own.
 */
export async function backupCommand(services: Services, input: BackupCommandInput): Promise<BackupOutcome> {
  const started = Date.now();
  const refused = await stackScopeRefusal(services);
  if (refused) return { ok: false, error: refused, durationMs: Date.now() - started };
  return runBackup(services, { startedBy: input.startedBy, onProgress: input.onProgress, signal: input.signal });
}
