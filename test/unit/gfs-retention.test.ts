import { describe, expect, it } from 'vitest';
import { gfsEnabled, selectGfs } from '../../services/backup/gfs-retention.js';

const pad = (n: number) => String(n).padStart(2, '0');
/** One backup a day at 02:00, `days` of them, the newest on 2026-12-01 (a Tuesday). */
function dailyNames(days: number): string[] {
  return Array.from({ length: days }, (_, i) => {
    const at = new Date(Date.UTC(2026, 11, 1 - i, 2));
    return `odoo_backup_${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}_02-00-00.tar.gz`;
  });
}
const day = (date: string) => `odoo_backup_${date}_02-00-00.tar.gz`;

describe('grandfather-father-son selection', () => {
  it('over 400 daily backups keeps exactly 7 days, 4 ISO weeks, 12 months and the years there are (7/4/12/3)', () => {
    const decisions = selectGfs(dailyNames(400), { daily: 7, weekly: 4, monthly: 12, yearly: 3 });
    const kept = decisions.filter((d) => d.keep).map((d) => d.name);
    const expected = [
      ...['2026-12-01', '2026-11-30', '2026-11-29', '2026-11-28', '2026-11-27', '2026-11-26', '2026-11-25'], // daily
      '2026-11-22', '2026-11-15', // the Sundays ending the weeks before (weekly; 12-01 and 11-29 already kept)
      ...['2026-10-31', '2026-09-30', '2026-08-31', '2026-07-31', '2026-06-30', '2026-05-31', '2026-04-30', '2026-03-31', '2026-02-28', '2026-01-31'], // monthly
      '2025-12-31', // yearly: 2025 (2026's is the newest; 2024 is not in the 400 days)
    ].map(day);
    expect(kept.sort()).toEqual(expected.sort());
    expect(decisions).toHaveLength(400);
    expect(decisions.find((d) => d.name === day('2026-11-29'))!.reasons).toEqual(['daily 2026-11-29', 'weekly 2026-W48']);
    expect(decisions.find((d) => d.name === day('2025-12-31'))!.reasons).toEqual(['yearly 2025']);
    expect(decisions.find((d) => d.name === day('2026-11-24'))).toMatchObject({ keep: false, reasons: [expect.stringMatching(/not the newest of a period kept by 7 daily, 4 weekly, 12 monthly, 3 yearly/)] });
  });

  it('keeps the newest of a day with several backups, the newest backup always, and a protected (drilled) one', () => {
    const names = [day('2026-12-01'), 'odoo_backup_2026-12-01_14-00-00.tar.gz', day('2026-11-01'), day('2026-10-01')];
    const decisions = selectGfs(names, { daily: 1 }, [day('2026-10-01')]);
    expect(decisions.map((d) => [d.name, d.keep, d.reasons])).toEqual([
      ['odoo_backup_2026-12-01_14-00-00.tar.gz', true, ['newest backup', 'daily 2026-12-01']],
      [day('2026-12-01'), false, [expect.stringContaining('1 daily')]],
      [day('2026-11-01'), false, [expect.stringContaining('1 daily')]],
      [day('2026-10-01'), true, ['newest drilled backup']],
    ]);
  });

  it('never decides on a name outside the pattern, and with keep 0 everywhere still keeps the newest', () => {
    const decisions = selectGfs(['notes.txt', 'odoo_backup_2026-12-01_02-00-00.tar.gz.partial', day('2026-12-01'), day('2026-11-30')], { daily: 0 });
    expect(decisions.map((d) => [d.name, d.keep])).toEqual([
      [day('2026-12-01'), true],
      [day('2026-11-30'), false],
    ]);
  });

  it('weeks are ISO weeks: 2026-01-01 (a Thursday) is in 2026-W01, 2027-01-01 (a Friday) in 2026-W53', () => {
    expect(selectGfs([day('2026-01-01')], { weekly: 1 })[0]!.reasons).toContain('weekly 2026-W01');
    expect(selectGfs([day('2027-01-01')], { weekly: 1 })[0]!.reasons).toContain('weekly 2026-W53');
    expect(gfsEnabled({})).toBe(false);
    expect(gfsEnabled({ monthly: 12 })).toBe(true);
  });
});
