import type { StackStatus } from '../services/health/status-service.js';
import type { Services } from '../services/services.js';

export interface StatusReply {
  kind: 'status';
  status: StackStatus;
  /** Whether a "Back up now" action makes sense (no backup, or an overdue one). */
  suggestBackup: boolean;
}

/** `status`: runs every health probe (about 2 s at most) and returns what they found with the verdict. */
export async function statusCommand(services: Pick<Services, 'status'>): Promise<StatusReply> {
  const status = await services.status.check();
  const suggestBackup = status.lastBackup.ok && (status.lastBackup.value === null || status.lastBackup.value.overdue);
  return { kind: 'status', status, suggestBackup };
}
