import { drillStaleAfterMs, overdueVerdict } from '../backup/backup-schedule.js';
import { readDrillRecord, type DrillResult } from './drill-record.js';

/** What status shows of drills. */
export interface DrillStatus {
  /** The last drill run, passed or not (when, which backup, what failed, RTO), or null when none ran. */
  last: DrillResult | null;
  /** When the newest passing drill finished, or null. */
  lastPassedAt: string | null;
  /** True when no drill passed within two intervals of DRILL_SCHEDULE (counted from `watchingSince` when none ever passed): the verdict turns degraded. */
  stale: boolean;
}

/**
 * The drill probe for status: reads BACKUP_DIR's drill record and judges it
 * against DRILL_SCHEDULE (twice its longest interval: drillStaleAfterMs). A fresh
 * install is not stale before two intervals from `watchingSince` (the bot's
 * start). Reads only.
 */
export async function drillStatus(backupDir: string, options: { schedule: string; timeZone: string; watchingSince: Date; now?: Date }): Promise<DrillStatus> {
  return judgeDrills(await readDrillRecord(backupDir), options);
}

/** drillStatus's judgement on a record already read: pure. */
export function judgeDrills(drills: readonly DrillResult[], options: { schedule: string; timeZone: string; watchingSince: Date; now?: Date }): DrillStatus {
  const now = options.now ?? new Date();
  const passed = drills.find((d) => d.passed) ?? null;
  const lastPassedAt = passed?.finishedAt ?? null;
  const { overdue } = overdueVerdict(lastPassedAt ? new Date(lastPassedAt) : null, options.watchingSince, now, options.schedule, options.timeZone, drillStaleAfterMs);
  return { last: drills[0] ?? null, lastPassedAt, stale: overdue };
}
