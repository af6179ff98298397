import { describe, expect, it } from 'vitest';
import { backupOverdueAfterMs, overdueVerdict } from '../../services/backup/backup-schedule.js';

const HOUR = 3_600_000;
const now = new Date('2026-03-10T12:00:00Z');
const started = new Date('2026-01-01T00:00:00Z');

describe('the one backup overdue rule (status and the alert)', () => {
  it('is the longest gap between two scheduled runs plus one hour', () => {
    expect(backupOverdueAfterMs(24 * HOUR)).toBe(25 * HOUR);
    expect(overdueVerdict(null, started, now, '0 2 * * *', 'UTC').thresholdMs).toBe(25 * HOUR);
  });

  it('calls a daily backup 24 h 59 min old on time and one 25 h 1 min old overdue', () => {
    const at = (ms: number) => new Date(now.getTime() - ms);
    expect(overdueVerdict(at(25 * HOUR - 60_000), started, now, '0 2 * * *', 'UTC').overdue).toBe(false);
    expect(overdueVerdict(at(25 * HOUR + 60_000), started, now, '0 2 * * *', 'UTC')).toMatchObject({ overdue: true, ageMs: 25 * HOUR + 60_000 });
  });

  it('does not call a fresh install overdue before one gap and an hour from when the bot started', () => {
    expect(overdueVerdict(null, new Date(now.getTime() - 24 * HOUR), now, '0 2 * * *', 'UTC').overdue).toBe(false);
    expect(overdueVerdict(null, new Date(now.getTime() - 26 * HOUR), now, '0 2 * * *', 'UTC').overdue).toBe(true);
  });
});
