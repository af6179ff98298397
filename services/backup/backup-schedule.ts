import cron from 'node-cron';

const HOUR = 3_600_000;

/**
 * The longest gap between two runs of a cron expression over its next runs
 * (`0 2 *\/5 * *` runs every 5 days but also on the 31st and the 1st, so the
 * longest gap is what "on time" must allow).
 */
export function longestInterval(expression: string, timeZone: string, runs = 40): number {
  const task = cron.createTask(expression, () => {}, { timezone: timeZone });
  try {
    const next = task.getNextRuns(runs);
    let longest = 0;
    for (let i = 1; i < next.length; i++) longest = Math.max(longest, next[i]!.getTime() - next[i - 1]!.getTime());
    return longest || 24 * HOUR;
  } finally {
    void task.destroy();
  }
}

/** The next run of a cron expression after now, or null. */
export function nextRun(expression: string, timeZone: string): Date | null {
  const task = cron.createTask(expression, () => {}, { timezone: timeZone });
  try {
    return task.getNextRun();
  } finally {
    void task.destroy();
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
  const thresholdMs = 2 * longestInterval(expression, timeZone);
  const ageMs = newest ? now.getTime() - newest.getTime() : null;
  const quietMs = now.getTime() - (newest ?? watchingSince).getTime();
  return { overdue: quietMs > thresholdMs, thresholdMs, ageMs };
}
