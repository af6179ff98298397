import { describe, expect, it } from 'vitest';
import type { DrillResult } from '../../services/drill/drill-record.js';
import { drilledBackups } from '../../services/drill/drill-record.js';
import { judgeDrills } from '../../services/drill/drill-status.js';
import { judge, type StackStatus } from '../../services/health/status-service.js';

const drill = (backup: string, finishedAt: string, passed: boolean): DrillResult => ({
  backup,
  startedAt: finishedAt,
  finishedAt,
  passed,
  source: 'r2',
  restoreMs: 1000,
  checks: [],
  failure: passed ? null : { stage: 'row-counts', message: 'public.res_partner has 3 rows, the manifest says 4' },
});
// Weekly drills (Sundays 05:00 UTC): stale after two weeks without a pass.
const weekly = { schedule: '0 5 * * 0', timeZone: 'UTC', watchingSince: new Date('2026-01-01T00:00:00Z') };

describe('restore drills in status', () => {
  it('is fresh with a pass within two intervals, stale after, and counts a fresh install from when the bot started', () => {
    const now = new Date('2026-03-20T12:00:00Z');
    expect(judgeDrills([drill('odoo_backup_2026-03-15_02-00-00.tar.gz', '2026-03-15T05:10:00Z', true)], { ...weekly, now }).stale).toBe(false);
    const old = judgeDrills([drill('b', '2026-03-15T05:10:00Z', false), drill('a', '2026-03-01T05:10:00Z', true)], { ...weekly, now });
    expect(old).toMatchObject({ stale: true, lastPassedAt: '2026-03-01T05:10:00Z', last: { backup: 'b', passed: false } });
    expect(judgeDrills([], { ...weekly, watchingSince: new Date('2026-03-19T00:00:00Z'), now }).stale).toBe(false);
    expect(judgeDrills([], { ...weekly, now }).stale).toBe(true);
  });

  it('turns the verdict degraded, saying why, only when the drill probe says stale', () => {
    const base = {
      checkedAt: new Date(),
      containers: { ok: true, value: [] },
      odoo: { ok: true, value: { ok: true, latencyMs: 1, httpStatus: 200 } },
      databaseSizeBytes: { ok: true, value: 1 },
      filestoreSizeBytes: { ok: true, value: 1 },
      lastBackup: { ok: true, value: { name: 'odoo_backup_2026-01-10_02-00-00.tar.gz', createdAt: new Date(), ageSeconds: 1, sizeBytes: 5, locations: ['local'], overdue: false } },
      nextRun: null,
      disk: { ok: true, value: { path: '/b', freeBytes: 50, totalBytes: 100 } },
      r2: { state: 'reachable' },
    } as unknown as Omit<StackStatus, 'verdict' | 'reasons'>;
    expect(judge({ ...base, lastDrill: { last: null, lastPassedAt: '2026-03-15T05:10:00Z', stale: false } }, { database: 'odoo' }).verdict).toBe('healthy');
    const stale = judge({ ...base, lastDrill: { last: drill('x', '2026-03-15T05:10:00Z', false), lastPassedAt: null, stale: true } }, { database: 'odoo' });
    expect(stale).toEqual({ verdict: 'degraded', reasons: ['no restore drill has passed yet (last: x failed at row-counts)'] });
  });

  it('list marks the backups that passed a drill; retention keeps the newest of them', () => {
    const { passed, newestPassed } = drilledBackups([drill('odoo_backup_2026-03-08_02-00-00.tar.gz', 'x', false), drill('odoo_backup_2026-03-01_02-00-00.tar.gz', 'x', true), drill('odoo_backup_2026-02-01_02-00-00.tar.gz', 'x', true)]);
    expect([...passed].sort()).toEqual(['odoo_backup_2026-02-01_02-00-00.tar.gz', 'odoo_backup_2026-03-01_02-00-00.tar.gz']);
    expect(newestPassed).toBe('odoo_backup_2026-03-01_02-00-00.tar.gz');
  });
});
