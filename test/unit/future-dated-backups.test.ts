import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUTURE_TOLERANCE_MS, formatBackupName, splitFutureDated } from '../../services/backup/backup-name.js';
import { pruneOlderThan } from '../../services/backup/prune-backups.js';
import { judge, type StackStatus } from '../../services/health/status-service.js';
import type { Services } from '../../services/services.js';
import { listBackups } from '../../services/storage/backup-catalog.js';
import { LocalBackend } from '../../services/storage/local-backend.js';
import { BackupScheduler } from '../../commands/scheduled-jobs.js';
import { slackAlertSink } from '../../src/slack/slack-alert-sink.js';
import type { SlackMessage } from '../../src/slack/render-backup.js';
import { capturedLogger } from '../helpers/captured-logger.js';

const DAY = 86_400_000;
const NOW = new Date('2026-06-30T12:00:00Z');
const FUTURE = 'odoo_backup_2099-01-01_00-00-00.tar.gz';
const daysAgo = (days: number) => formatBackupName(new Date(NOW.getTime() - days * DAY), 'UTC');

async function dirWith(names: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-future-'));
  for (const name of names) await writeFile(join(dir, name), 'x');
  return dir;
}

/** The scheduler over a real BACKUP_DIR, its channel posts kept. */
function schedulerOver(dir: string, now: Date) {
  const posts: SlackMessage[] = [];
  const services = { backends: [new LocalBackend(dir)], settings: { schedule: '0 2 * * *', timeZone: 'UTC' } } as unknown as Services;
  const notifier = { post: async (m: SlackMessage) => (posts.push(m), 'ts'), update: async () => {} };
  return { scheduler: new BackupScheduler(services, slackAlertSink(notifier, (t) => t), capturedLogger().logger, (t) => t, { now: () => now }), posts };
}

describe('a backup name dated in the future', () => {
  it('over 400 daily backups and one dated 2099: prune deletes exactly the real ones past retention, keeps the 2099 one, and says so', async () => {
    const real = Array.from({ length: 400 }, (_, i) => daysAgo(i));
    const dir = await dirWith([...real, FUTURE]);
    const result = await pruneOlderThan([new LocalBackend(dir)], { retentionDays: 30, timeZone: 'UTC', now: NOW });

    expect(result.protectedName).toBe(daysAgo(0));
    expect(result.failures).toEqual([]);
    // Day 30 is exactly at the cutoff, not before it: kept.
    expect(result.deleted).toEqual([{ location: 'local', names: real.slice(31) }]);
    expect((await readdir(dir)).sort()).toEqual([...real.slice(0, 31), FUTURE].sort());
    expect(result.futureDated).toEqual([{ location: 'local', names: [FUTURE] }]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain(`${FUTURE} (local) is dated more than 5 minutes in the future`);
  });

  it('is never the newest: with only old real backups, the newest real one is kept and the 2099 one is not counted', async () => {
    const dir = await dirWith([daysAgo(90), daysAgo(60), daysAgo(45), FUTURE]);
    const result = await pruneOlderThan([new LocalBackend(dir)], { retentionDays: 30, timeZone: 'UTC', now: NOW });
    expect(result.protectedName).toBe(daysAgo(45));
    expect((await readdir(dir)).sort()).toEqual([daysAgo(45), FUTURE].sort());
  });

  it('status: the last backup is the newest real one, with its true age, and the 2099 name is a reason', async () => {
    const dir = await dirWith([daysAgo(10), daysAgo(11), FUTURE]);
    const { backups } = await listBackups([new LocalBackend(dir)], 'UTC');
    expect(backups[0]!.name).toBe(FUTURE);
    const { past, future } = splitFutureDated(backups, NOW);
    expect(past[0]!.name).toBe(daysAgo(10));
    expect(future.map((b) => b.name)).toEqual([FUTURE]);

    const status: Omit<StackStatus, 'verdict' | 'reasons'> = {
      checkedAt: NOW,
      containers: { ok: true, value: [] },
      odoo: { ok: true, value: { ok: true, latencyMs: 1, httpStatus: 200 } },
      databaseSizeBytes: { ok: true, value: 1 },
      filestoreSizeBytes: { ok: true, value: 1 },
      lastBackup: { ok: true, value: { name: past[0]!.name, createdAt: past[0]!.createdAt, ageSeconds: 10 * 86_400, sizeBytes: 1, locations: ['local'], overdue: true } },
      futureDated: future.map((b) => ({ name: b.name, locations: b.locations })),
      nextRun: null,
      disk: { ok: true, value: { path: dir, freeBytes: 50, totalBytes: 100 } },
      r2: { state: 'local-only' },
    };
    const { verdict, reasons } = judge(status, { database: 'odoo' });
    expect(verdict).toBe('degraded');
    expect(reasons).toEqual([
      `last backup is older than the schedule allows (${daysAgo(10)})`,
      `${FUTURE} (local) is dated more than 5 minutes in the future: not counted as the last backup and never deleted by retention; check the clock of the server that wrote it, or move it away`,
    ]);
  });

  it('does not silence the overdue alert: 10 days without a real backup is overdue, whatever the 2099 name', async () => {
    const { scheduler, posts } = schedulerOver(await dirWith([daysAgo(10), FUTURE]), NOW);
    expect(await scheduler.checkOverdue()).toBe(true);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.text).toContain(daysAgo(10));
    expect(posts[0]!.text).not.toContain('2099');
  });

  it('a name a little ahead of the clock (within the tolerance) is a backup like any other', async () => {
    const aheadName = formatBackupName(new Date(NOW.getTime() + FUTURE_TOLERANCE_MS - 60_000), 'UTC');
    const { scheduler, posts } = schedulerOver(await dirWith([daysAgo(10), aheadName]), NOW);
    expect(await scheduler.checkOverdue()).toBe(false);
    expect(posts).toEqual([]);
    const dir = await dirWith([daysAgo(40), aheadName]);
    const result = await pruneOlderThan([new LocalBackend(dir)], { retentionDays: 30, timeZone: 'UTC', now: NOW });
    expect(result.protectedName).toBe(aheadName);
    expect(result.futureDated).toEqual([]);
    expect(await readdir(dir)).toEqual([aheadName]);
  });

  it('prune refuses, deleting nothing in any store, when a store holds only future-dated names', async () => {
    const onlyFuture = await dirWith([FUTURE]);
    const real = [daysAgo(0), daysAgo(40), daysAgo(50)];
    const realDir = await dirWith(real);
    const run = pruneOlderThan([new LocalBackend(onlyFuture), new LocalBackend(realDir)], { retentionDays: 30, timeZone: 'UTC', now: NOW });
    await expect(run).rejects.toMatchObject({
      stage: 'retention',
      userMessage: expect.stringMatching(new RegExp(`^refusing to prune: local holds only backups dated in the future \\(${FUTURE.replace(/\./g, '\\.')}\\).*nothing was deleted`)),
    });
    expect(await readdir(onlyFuture)).toEqual([FUTURE]);
    expect((await readdir(realDir)).sort()).toEqual([...real].sort());
  });
});
