import { drilledBackups, readDrillRecord } from '../drill/drill-record.js';
import type { Services } from '../services.js';
import type { PruneOptions } from './prune-backups.js';

/**
 * The retention in force (BACKUP_KEEP_* or BACKUP_RETENTION_DAYS) and the
 * names it must keep: the newest backup that passed a drill. Reads the drill
 * record in BACKUP_DIR; an unreadable record protects nothing more. No writes.
 */
export async function retentionOptions(services: Services): Promise<PruneOptions> {
  const drills = await readDrillRecord(services.settings.backupDir).catch(() => []);
  const { newestPassed } = drilledBackups(drills);
  return {
    retentionDays: services.settings.retentionDays,
    timeZone: services.settings.timeZone,
    keep: services.settings.keep,
    protect: newestPassed ? [newestPassed] : [],
  };
}
