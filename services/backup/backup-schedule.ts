import cron from 'node-cron';

export interface ScheduleRuns {
  /** The next time the schedule fires. */
  next: Date;
  /** The longest gap between two consecutive runs over the coming runs (e.g. 5 days for `0 2 *\/5 * *`). */
  longestGapMs: number;
}

/**
 * When the backup schedule fires next, read with node-cron's own matcher in
 * `timeZone`, so status and the scheduler agree. Side effect free: the task is
 * created stopped and destroyed at once (node-cron keeps a registry of tasks).
 */
export function scheduleRuns(expression: string, timeZone: string, from: Date = new Date()): ScheduleRuns {
  const task = cron.createTask(expression, () => {}, { timezone: timeZone });
  try {
    // Enough runs to see the irregular gaps of "every N days" schedules at month ends.
    const runs = task.getNextRuns(40).filter((d) => d.getTime() > from.getTime());
    let longestGapMs = 0;
    for (let i = 1; i < runs.length; i++) longestGapMs = Math.max(longestGapMs, runs[i]!.getTime() - runs[i - 1]!.getTime());
    return { next: runs[0]!, longestGapMs };
  } finally {
    task.destroy();
  }
}

/** How much later than the schedule's longest gap a backup may be before it is overdue: a slow backup is not an alert. */
export const OVERDUE_GRACE_MS = 60 * 60 * 1000;

/**
 * The one backup overdue rule, used by `status` and by the overdue alert alike:
 * backups are overdue after the schedule's longest gap between two runs plus
 * one hour (5 days 1 hour with the default `0 2 *\/5 * *`).
 */
export function backupOverdueAfterMs(longestGapMs: number): number {
  return longestGapMs + OVERDUE_GRACE_MS;
}

/** Restore drills are stale after twice DRILL_SCHEDULE's longest gap: one missed drill is not yet an alarm. */
export function drillStaleAfterMs(longestGapMs: number): number {
  return 2 * longestGapMs;
}

export interface OverdueVerdict {
  overdue: boolean;
  /** Backups are overdue after this long without a success (backupOverdueAfterMs). */
  thresholdMs: number;
  /** Age of the newest backup, or null when there is none. */
  ageMs: number | null;
}

/**
 * Whether backups are overdue: no successful backup for longer than
 * `thresholdOf(the schedule's longest gap)`, backupOverdueAfterMs unless told.
 * With no backup at all, the clock starts at `watchingSince` (when the bot
 * started), so a fresh install is not overdue on its first day. Pure.
 */
export function overdueVerdict(
  newest: Date | null,
  watchingSince: Date,
  now: Date,
  expression: string,
  timeZone: string,
  thresholdOf: (longestGapMs: number) => number = backupOverdueAfterMs,
): OverdueVerdict {
  const thresholdMs = thresholdOf(scheduleRuns(expression, timeZone, now).longestGapMs);
  const ageMs = newest ? now.getTime() - newest.getTime() : null;
  const quietMs = now.getTime() - (newest ?? watchingSince).getTime();
  return { overdue: quietMs > thresholdMs, thresholdMs, ageMs };
}
