import { drilledBackups, readDrillRecord } from '../services/drill/drill-record.js';
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
  /** Backups a restore drill passed on (BACKUP_DIR's drill record): proven restorable. */
  drilled: string[];
  now: Date;
}

/** `list`: the backups of every store, merged by name, newest first, with those a drill passed on marked; `limit` caps how many are returned. Reads only. */
export async function listCommand(services: Pick<Services, 'backends' | 'settings'>, limit = Infinity): Promise<ListReply> {
  const [listing, drills] = await Promise.all([
    listBackups(services.backends, services.settings.timeZone),
    // An unreadable record marks nothing: the list itself must still answer.
    readDrillRecord(services.settings.backupDir).catch(() => []),
  ]);
  const backups = listing.backups.slice(0, limit);
  const { passed } = drilledBackups(drills);
  return { kind: 'list', backups, total: listing.backups.length, unreachable: listing.unreachable, drilled: backups.filter((b) => passed.has(b.name)).map((b) => b.name), now: new Date() };
}
