import { describe, expect, it } from 'vitest';
import { runProbe } from '../../services/health/run-probe.js';
import { scheduleRuns } from '../../services/backup/backup-schedule.js';
import { judge, type StackStatus } from '../../services/health/status-service.js';

const healthy: Omit<StackStatus, 'verdict' | 'reasons'> = {
  checkedAt: new Date('2026-01-10T12:00:00Z'),
  containers: {
    ok: true,
    value: [
      { service: 'odoo', id: 'a', name: 'odoo-1', image: 'odoo:17', state: 'running', health: 'healthy', startedAt: '2026-01-10T00:00:00Z', restartCount: 0, uptimeSeconds: 43200 },
      { service: 'db', id: 'b', name: 'db-1', image: 'postgres:15', state: 'running', health: 'healthy', startedAt: '2026-01-10T00:00:00Z', restartCount: 0, uptimeSeconds: 43200 },
    ],
  },
  odoo: { ok: true, value: { ok: true, latencyMs: 12, httpStatus: 200 } },
  databaseSizeBytes: { ok: true, value: 10_000_000 },
  filestoreSizeBytes: { ok: true, value: 1_000 },
  lastBackup: { ok: true, value: { name: 'odoo_backup_2026-01-10_02-00-00.tar.gz', createdAt: new Date('2026-01-10T02:00:00Z'), ageSeconds: 36000, sizeBytes: 5, locations: ['local', 'r2'], overdue: false } },
  nextRun: new Date('2026-01-11T02:00:00Z'),
  disk: { ok: true, value: { path: '/backup', freeBytes: 50, totalBytes: 100 } },
  r2: { state: 'reachable' },
  restore: { ok: true, value: { switch: null, attention: null } },
};

describe('status verdict', () => {
  it('is healthy when every probe is fine', () => {
    expect(judge(healthy, { database: 'odoo' })).toEqual({ verdict: 'healthy', reasons: [] });
  });

  it('is down, with the fix, while a restore\'s switch is interrupted or a switch-back awaits a person', () => {
    const interrupted = judge({ ...healthy, restore: { ok: true, value: { switch: { restore: 'odoo_backup_2026-01-09_02-00-00.tar.gz', state: 'interrupted' }, attention: null } } }, { database: 'odoo' });
    expect(interrupted.verdict).toBe('down');
    expect(interrupted.reasons).toEqual([
      'the restore of odoo_backup_2026-01-09_02-00-00.tar.gz was interrupted in its switch: run any odoo-ops command (or restart the bot) to finish or roll it back',
    ]);
    const running = judge({ ...healthy, restore: { ok: true, value: { switch: { restore: 'x', state: 'running' }, attention: null } } }, { database: 'odoo' });
    expect(running.verdict).toBe('healthy');
    const attention = judge({ ...healthy, restore: { ok: true, value: { switch: null, attention: { message: 'switching back failed', path: '/b/.m.json' } } } }, { database: 'odoo' });
    expect(attention).toEqual({ verdict: 'down', reasons: ['switching back failed (then delete /b/.m.json)'] });
  });

  it('is down, saying why, when Odoo does not answer /web/health', () => {
    const result = judge({ ...healthy, odoo: { ok: false, reason: 'error', message: 'connect ECONNREFUSED 127.0.0.1:8069' } }, { database: 'odoo' });
    expect(result.verdict).toBe('down');
    expect(result.reasons).toEqual(['Odoo /web/health: connect ECONNREFUSED 127.0.0.1:8069']);
  });

  it('is down when the database container refuses queries, even if the container listing went unanswered', () => {
    const result = judge(
      {
        ...healthy,
        containers: { ok: false, reason: 'timeout', message: 'no answer within 2000 ms' },
        databaseSizeBytes: { ok: false, reason: 'down', message: 'cannot query: the db container is paused or stopped' },
      },
      { database: 'odoo' },
    );
    expect(result.verdict).toBe('down');
    expect(result.reasons).toEqual(['database "odoo": cannot query: the db container is paused or stopped', 'containers: unknown (timeout)']);
  });

  it('is degraded with "unknown (timeout)" when the database probe hangs, and when R2 is unreachable', () => {
    const result = judge(
      { ...healthy, databaseSizeBytes: { ok: false, reason: 'timeout', message: 'no answer within 2000 ms' }, r2: { state: 'unreachable', message: 'Access Denied' } },
      { database: 'odoo' },
    );
    expect(result).toEqual({ verdict: 'degraded', reasons: ['database "odoo": unknown (timeout)', 'R2 unreachable: Access Denied'] });
  });
});

describe('probes and schedule', () => {
  it('a probe that hangs resolves as a timeout after its own deadline', async () => {
    // The probe never settles: only its deadline can answer.
    const result = await runProbe(() => new Promise(() => {}), 100);
    expect(result).toEqual({ ok: false, reason: 'timeout', message: 'no answer within 100 ms' });
  });

  it('reads the next run and the longest gap of the default schedule "0 2 */5 * *"', () => {
    const runs = scheduleRuns('0 2 */5 * *', 'UTC');
    expect(runs.next.getUTCHours()).toBe(2);
    expect(runs.next.getTime()).toBeGreaterThan(Date.now());
    expect(runs.longestGapMs).toBe(5 * 86400_000);
  });
});
