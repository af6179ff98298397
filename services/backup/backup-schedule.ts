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

export interface OverdueVerdict {
  overdue: boolean;
  /** Backups are overdue after this long without a success: twice the longest interval. */
  thresholdMs: number;
  /** Age of the newest backup, or null when there is none. */
  ageMs: number | null;
}

/**
 * Whether backups are overdue: no successful backup for longer than twice the
 * schedule's interval. With no backup at all, the clock starts at `watchingSince`
 * (when the bot started), so a fresh install is not overdue on its first day.
 */
export function overdueVerdict(newest: Date | null, watchingSince: Date, now: Date, expression: string, timeZone: string): OverdueVerdict {
  const thresholdMs = 2 * scheduleRuns(expression, timeZone, now).longestGapMs;
  const ageMs = newest ? now.getTime() - newest.getTime() : null;
  const quietMs = now.getTime() - (newest ?? watchingSince).getTime();
  return { overdue: quietMs > thresholdMs, thresholdMs, ageMs };
}
