import { describe, expect, it } from 'vitest';
import type { StatusReply } from '../../commands/status.js';
import { judge, type StackStatus } from '../../services/health/status-service.js';
import { statusJson } from '../../src/cli/render-json.js';
import { renderStatusText } from '../../src/cli/render-text.js';
import { renderStatus } from '../../src/slack/render-replies.js';

const base: Omit<StackStatus, 'verdict' | 'reasons'> = {
  checkedAt: new Date('2026-01-10T12:00:00Z'),
  containers: {
    ok: true,
    value: [
      // As Docker reports a stopped container: its last health stays "unhealthy".
      { service: 'odoo', id: 'a', name: 'odoo-1', image: 'odoo:17', state: 'exited', health: 'unhealthy', startedAt: null, restartCount: 0, uptimeSeconds: null },
      { service: 'db', id: 'b', name: 'db-1', image: 'postgres:15', state: 'running', health: 'healthy', startedAt: '2026-01-10T00:00:00Z', restartCount: 0, uptimeSeconds: 43200 },
    ],
  },
  odoo: { ok: false, reason: 'error', message: 'connect ECONNREFUSED 127.0.0.1:8069' },
  databaseSizeBytes: { ok: true, value: 10_000_000 },
  filestoreSizeBytes: { ok: true, value: 1_000 },
  lastBackup: { ok: true, value: null },
  nextRun: new Date('2026-01-11T02:00:00Z'),
  disk: { ok: true, value: { path: '/backup', freeBytes: 50, totalBytes: 100 } },
  r2: { state: 'reachable' },
  restore: { ok: true, value: { switch: null, attention: null } },
};
const reply = (): StatusReply => ({ kind: 'status', status: { ...base, ...judge(base, { database: 'odoo' }) }, suggestBackup: false });

describe('status of a stopped container and of an Odoo that refuses connections', () => {
  it('says stopped, never the stale health, and names the refused address, on the terminal, in Slack and in JSON', () => {
    const text = renderStatusText(reply(), 'UTC');
    expect(text).toMatch(/Container odoo\s+stopped \(exited\), 0 restarts, odoo:17/);
    expect(text).toMatch(/Odoo \/web\/health\s+not answering: connect ECONNREFUSED 127\.0\.0\.1:8069/);
    expect(text).toContain('  - odoo container is stopped (exited)');
    expect(text).not.toContain('unhealthy');

    const slack = JSON.stringify(renderStatus(reply(), 'UTC'));
    expect(slack).toContain('*Container odoo*\\nstopped (exited), 0 restarts');
    expect(slack).toContain('not answering: connect ECONNREFUSED 127.0.0.1:8069');
    expect(slack).not.toContain('unhealthy');

    const json = statusJson(reply());
    expect(json.containers[0]).toEqual({ service: 'odoo', state: 'exited', health: 'none', uptimeSeconds: null, restartCount: 0, image: 'odoo:17' });
    expect(json.errors.odoo).toBe('connect ECONNREFUSED 127.0.0.1:8069');
  });
});
