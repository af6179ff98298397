import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { appendDrillResult } from '../../services/drill/drill-record.js';
import { runCli } from '../helpers/run-cli.js';
import { testbedEnv } from '../helpers/testbed-env.js';

const testbed = inject('testbed');
const live = () => join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database);

async function addLiveFile(size: number): Promise<string> {
  const content = randomBytes(size);
  const sha = createHash('sha1').update(content).digest('hex');
  await mkdir(join(live(), sha.slice(0, 2)), { recursive: true });
  await writeFile(join(live(), sha.slice(0, 2), sha), content);
  return join(live(), sha.slice(0, 2), sha);
}

describe('status: the attachment store and the last restore drill', () => {
  it('shows the store\'s files, bytes, newest sync and lag (text and JSON), and turns degraded when the lag passes ten sync intervals', async () => {
    await rm(live(), { recursive: true, force: true });
    await addLiveFile(1000);
    await addLiveFile(2000);
    const env = testbedEnv(testbed, { BACKUP_DIR: await mkdtemp(join(testbed.workDir, 'status-store-')), CF_R2_PREFIX: `status-store-${Date.now()}/`, ATTACHMENT_SYNC_INTERVAL: '60' });
    const before = JSON.parse((await runCli(['status', '--json'], env, testbed.workDir)).out);
    expect(before.attachmentStore).toBeNull();
    expect((await runCli(['status'], env, testbed.workDir)).out).toMatch(/Attachment store\s+never synced from this machine/);

    expect((await runCli(['sync'], env, testbed.workDir)).code).toBe(0);
    const synced = JSON.parse((await runCli(['status', '--json'], env, testbed.workDir)).out);
    expect(synced.attachmentStore).toMatchObject({ files: 2, bytes: 3000, pendingFiles: 0, lagSeconds: 0, lagThresholdSeconds: 600 });
    expect(Date.now() - Date.parse(synced.attachmentStore.newestSyncedAt)).toBeLessThan(600_000);
    expect(synced.reasons.join(' ')).not.toMatch(/attachment store/);

    // A file Odoo wrote two hours ago that no sync took yet.
    const late = await addLiveFile(500);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(late, twoHoursAgo, twoHoursAgo);
    const lagging = JSON.parse((await runCli(['status', '--json'], env, testbed.workDir)).out);
    expect(lagging.attachmentStore).toMatchObject({ files: 2, pendingFiles: 1 });
    expect(lagging.attachmentStore.lagSeconds).toBeGreaterThanOrEqual(7200);
    expect(lagging.verdict).toBe('degraded');
    expect(lagging.reasons).toContainEqual(expect.stringMatching(/^the attachment store lags \d+ s behind the filestore \(1 file\(s\) not synced; threshold 600 s\)$/));
    expect((await runCli(['status'], env, testbed.workDir)).out).toMatch(/Attachment store\s+2 files, .*1 file\(s\) pending, lag 2h/);
  }, 120_000);

  it('shows the last drill (when, backup, passed or what failed, RTO); degraded while no drill passed within two DRILL_SCHEDULE intervals since the oldest backup', async () => {
    const backupDir = await mkdtemp(join(testbed.workDir, 'status-drill-'));
    const env = testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_ENDPOINT: undefined, CF_R2_BUCKET: undefined, CF_R2_ACCESS_KEY_ID: undefined, CF_R2_SECRET_ACCESS_KEY: undefined, DRILL_SCHEDULE: '0 5 * * *' });
    const status = async () => JSON.parse((await runCli(['status', '--json'], env, testbed.workDir)).out);
    // A new install: no backup and no drill yet is not stale.
    expect((await status()).lastDrill).toEqual({ last: null, lastPassedAt: null, stale: false });

    // Backups for ten days (daily drills were due), one failed drill.
    const day = (n: number) => {
      const d = new Date(Date.now() - n * 86_400_000);
      const p = (x: number) => String(x).padStart(2, '0');
      return `odoo_backup_${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}_${p(d.getUTCHours())}-00-00.tar.gz`;
    };
    for (const n of [10, 1]) await writeFile(join(backupDir, day(n)), 'x');
    const failedAt = new Date(Date.now() - 3600_000).toISOString();
    await appendDrillResult(backupDir, {
      backup: day(1), startedAt: failedAt, finishedAt: failedAt, passed: false, source: 'local', restoreMs: 42_000,
      checks: [{ name: 'row counts', status: 'failed', detail: 'public.res_partner: 3 restored, 5 in the manifest' }],
      failure: { stage: 'row counts', message: 'public.res_partner: 3 restored, 5 in the manifest' },
    });
    const stale = await status();
    expect(stale.verdict).toBe('degraded');
    expect(stale.reasons).toContainEqual(`no restore drill has passed yet (last: ${day(1)} failed at row counts)`);
    expect(stale.lastDrill).toMatchObject({ stale: true, lastPassedAt: null, last: { backup: day(1), passed: false, restoreMs: 42_000 } });
    expect((await runCli(['status'], env, testbed.workDir)).out).toMatch(
      new RegExp(`Last restore drill\\s+.*${day(1).replace(/\./g, '\\.')}: FAILED at row counts: public\\.res_partner: 3 restored, 5 in the manifest, RTO 42s — none has passed yet`),
    );

    const passedAt = new Date().toISOString();
    await appendDrillResult(backupDir, { backup: day(1), startedAt: passedAt, finishedAt: passedAt, passed: true, source: 'local', restoreMs: 9000, checks: [], failure: null });
    const fresh = await status();
    expect(fresh.lastDrill).toMatchObject({ stale: false, lastPassedAt: passedAt, last: { passed: true } });
    expect(fresh.reasons.join(' ')).not.toMatch(/drill/);
    expect((await runCli(['status'], env, testbed.workDir)).out).toMatch(/Last restore drill\s+.*: passed, RTO 9s\n/);
  }, 120_000);

  it('list marks the backups a restore drill passed on (text column, JSON field), not those whose drill failed', async () => {
    const backupDir = await mkdtemp(join(testbed.workDir, 'list-drill-'));
    const env = testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_ENDPOINT: undefined, CF_R2_BUCKET: undefined, CF_R2_ACCESS_KEY_ID: undefined, CF_R2_SECRET_ACCESS_KEY: undefined });
    const [proven, failed, plain] = ['odoo_backup_2026-01-03_02-00-00.tar.gz', 'odoo_backup_2026-01-02_02-00-00.tar.gz', 'odoo_backup_2026-01-01_02-00-00.tar.gz'];
    for (const name of [proven, failed, plain]) await writeFile(join(backupDir, name), 'x');
    const at = new Date().toISOString();
    await appendDrillResult(backupDir, { backup: failed, startedAt: at, finishedAt: at, passed: false, source: 'local', restoreMs: null, checks: [], failure: { stage: 'restore', message: 'pg_restore failed' } });
    await appendDrillResult(backupDir, { backup: proven, startedAt: at, finishedAt: at, passed: true, source: 'local', restoreMs: 1000, checks: [], failure: null });
    const json = JSON.parse((await runCli(['list', '--json'], env, testbed.workDir)).out) as Array<{ name: string; drilled?: boolean }>;
    expect(json.map((b) => [b.name, b.drilled ?? false])).toEqual([[proven, true], [failed, false], [plain, false]]);
    const text = (await runCli(['list'], env, testbed.workDir)).out.split('\n');
    expect(text[0]).toMatch(/WHERE\s+DRILL$/);
    expect(text.find((l) => l.startsWith(proven))).toMatch(/local\s+passed$/);
    expect(text.find((l) => l.startsWith(failed))).toMatch(/local$/);
  }, 60_000);
});
