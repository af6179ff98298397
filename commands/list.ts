import type { Services } from '../services/services.js';
import { listBackups, type BackupEntry } from '../services/storage/backup-catalog.js';
import type { Location } from '../services/storage/storage-backend.js';

/** Slack shows at most this many (one button each; a message holds at most 50 blocks). */
export const SLACK_LIST_LIMIT = 15;

export interface ListReply {
  kind: 'list';
  /** Newest first, at most `limit`. */
  backups: BackupEntry[];
  /** How many backups exist in all. */
  total: number;
  /** Stores that could not be listed; their backups are missing. */
  unreachable: { location: Location; message: string }[];
  now: Date;
}

/** `list`: the backups of every store, merged by name, newest first; `limit` caps how many are returned. */
export async function listCommand(services: Pick<Services, 'backends' | 'settings'>, limit = Infinity): Promise<ListReply> {
  const listing = await listBackups(services.backends, services.settings.timeZone);
  return { kind: 'list', backups: listing.backups.slice(0, limit), total: listing.backups.length, unreachable: listing.unreachable, now: new Date() };
}
