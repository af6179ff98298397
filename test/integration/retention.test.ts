import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { formatBackupName, isBackupName } from '../../services/backup/backup-name.js';
import { pruneOlderThan } from '../../services/backup/prune-backups.js';
import { LocalBackend } from '../../services/storage/local-backend.js';
import { S3Backend } from '../../services/storage/s3-backend.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { keysUnder } from '../helpers/bucket.js';
import { runCli } from '../helpers/run-cli.js';
import { testbedEnv } from '../helpers/testbed-env.js';

const testbed = inject('testbed');
const DAY = 86_400_000;
const NOW = new Date('2026-06-30T12:00:00Z');
const nameDaysAgo = (days: number, minute = 0) => formatBackupName(new Date(NOW.getTime() - days * DAY - minute * 60_000), 'UTC');
/** A name dated in the future: a wrong clock, a copy from another server. */
const FUTURE = 'odoo_backup_2099-01-01_00-00-00.tar.gz';

/** A BACKUP_DIR and an R2 prefix of their own, holding these names, for the CLI run as an operator does. */
async function stores(local: string[], r2: string[]) {
  const dir = await mkdtemp(join(testbed.workDir, 'retention-'));
  for (const name of local) await writeFile(join(dir, name), 'x');
  const prefix = `retention-cli-${Date.now()}-${Math.floor(Math.random() * 1e6)}/`;
  const s3 = createS3Client(testbed.s3);
  for (const name of r2) await s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: `${prefix}${name}`, Body: 'x' }));
  const env = testbedEnv(testbed, { BACKUP_DIR: dir, CF_R2_PREFIX: prefix, BACKUP_RETENTION_DAYS: '30' });
  const r2Names = async () => (await keysUnder(testbed, prefix)).map((k) => k.slice(prefix.length)).sort();
  const localNames = async () => (await readdir(dir)).filter((n) => n.startsWith('odoo_backup_')).sort();
  return { env, localNames, r2Names, cli: (argv: string[]) => runCli(argv, env, testbed.workDir) };
}

/** Things that look like backups but are not ours to delete. */
const FOREIGN = ['notes.txt', 'odoo_backup_2020-01-01_00-00-00.tar.gz.bak', 'old/odoo_backup_2020-01-01_00-00-00.tar.gz', 'odoo_backup_2020-13-45_99-00-00.tar.gz', 'odoo_backup_2020-01-01.tar.gz'];

describe('retention', () => {
  it('in R2: lists past 1000 objects, deletes only old pattern names in batches, keeps foreign objects', async () => {
    const s3 = createS3Client(testbed.s3);
    const prefix = `retention-${Date.now()}/`;
    // 1150 backups (past one listing page), 1050 of them old (past one delete batch).
    const recent = Array.from({ length: 100 }, (_, i) => nameDaysAgo(i % 10, i));
    const old = Array.from({ length: 1050 }, (_, i) => nameDaysAgo(40 + (i % 30), i));
    const keys = [...recent, ...old, ...FOREIGN].map((n) => `${prefix}${n}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key, Body: 'x' }))));
    }
    const backend = new S3Backend(s3, testbed.s3.bucket, prefix);
    expect((await backend.list()).length).toBe(1150);

    const dry = await pruneOlderThan([backend], { retentionDays: 30, timeZone: 'UTC', now: NOW, dryRun: true });
    expect(dry.deleted[0]!.names.sort()).toEqual([...new Set(old)].sort());
    expect(await keysUnder(testbed, prefix)).toHaveLength(keys.length);

    const result = await pruneOlderThan([backend], { retentionDays: 30, timeZone: 'UTC', now: NOW });
    expect(result.failures).toEqual([]);
    expect((await keysUnder(testbed, prefix)).sort()).toEqual([...recent, ...FOREIGN].map((n) => `${prefix}${n}`).sort());
  }, 120_000);

  it('never deletes the newest backup, whatever its age, nor anything foreign; locally too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-retention-'));
    const backups = [nameDaysAgo(90), nameDaysAgo(60), nameDaysAgo(45)];
    for (const name of [...backups, 'notes.txt', 'odoo_backup_2020-01-01_00-00-00.tar.gz.bak']) await writeFile(join(dir, name), 'x');
    const result = await pruneOlderThan([new LocalBackend(dir)], { retentionDays: 30, timeZone: 'UTC', now: NOW });
    expect(result.protectedName).toBe(nameDaysAgo(45));
    expect((await readdir(dir)).sort()).toEqual([nameDaysAgo(45), 'notes.txt', 'odoo_backup_2020-01-01_00-00-00.tar.gz.bak'].sort());
  });

  it('keeps the newest backup of all in every store, even if another store is unreachable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-retention-'));
    for (const name of [nameDaysAgo(50), nameDaysAgo(40)]) await writeFile(join(dir, name), 'x');
    const unreachable = new S3Backend(createS3Client({ ...testbed.s3, endpoint: 'http://127.0.0.1:9' }), testbed.s3.bucket, '');
    const result = await pruneOlderThan([new LocalBackend(dir), unreachable], { retentionDays: 30, timeZone: 'UTC', now: NOW });
    expect(result.failures.map((f) => f.location)).toEqual(['r2']);
    expect(await readdir(dir)).toEqual([nameDaysAgo(40)]);
  });

  it('a 2099 name in both stores: prune keeps the real newest, deletes the real old ones, keeps the 2099 one and warns; status ignores it', async () => {
    const taken = Date.now();
    const day = (days: number) => formatBackupName(new Date(taken - days * DAY), 'UTC');
    const names = [day(1), day(40), day(50), FUTURE];
    const s = await stores(names, names);

    const { code, out } = await s.cli(['prune', '--json']);
    const report = JSON.parse(out);
    expect(code).toBe(0);
    expect(report.kept).toBe(day(1));
    expect(report.deleted).toEqual([
      { location: 'local', names: [day(40), day(50)] },
      { location: 'r2', names: [day(40), day(50)] },
    ]);
    expect(report.futureDated).toEqual([
      { location: 'local', names: [FUTURE] },
      { location: 'r2', names: [FUTURE] },
    ]);
    expect(report.warnings).toEqual([expect.stringContaining(`${FUTURE} (local + r2) is dated more than 5 minutes in the future`)]);
    expect(await s.localNames()).toEqual([day(1), FUTURE].sort());
    expect(await s.r2Names()).toEqual([day(1), FUTURE].sort());

    // The text output names it too, and a second run deletes nothing more.
    const text = await s.cli(['prune']);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`kept whatever its age: ${day(1)} (the newest backup)`);
    expect(text.out).toContain(`warning: ${FUTURE} (local + r2) is dated more than 5 minutes in the future`);
    expect(await s.r2Names()).toEqual([day(1), FUTURE].sort());

    const status = JSON.parse((await s.cli(['status', '--json'])).out);
    expect(status.lastBackup.name).toBe(day(1));
    expect(status.lastBackup.ageSeconds).toBeGreaterThanOrEqual(86_400);
    expect(status.futureDated).toEqual([{ name: FUTURE, locations: ['local', 'r2'] }]);
    expect(status.reasons).toContainEqual(expect.stringContaining(`${FUTURE} (local + r2) is dated more than 5 minutes in the future`));
  });

  it('refuses a run that would leave R2 without a past-dated backup (it holds only a 2099 name): nothing deleted in either store', async () => {
    const taken = Date.now();
    const day = (days: number) => formatBackupName(new Date(taken - days * DAY), 'UTC');
    const local = [day(1), day(40), day(50)];
    const s = await stores(local, [FUTURE]);

    const { code, out } = await s.cli(['prune', '--json']);
    expect(code).toBe(1);
    const { error } = JSON.parse(out);
    expect(error.stage).toBe('retention');
    expect(error.message).toContain(`refusing to prune: r2 holds only backups dated in the future (${FUTURE})`);
    expect(error.message).toContain('nothing was deleted');
    expect(await s.localNames()).toEqual([...local].sort());
    expect(await s.r2Names()).toEqual([FUTURE]);
  });

  it('BACKUP_KEEP_DAILY=3 and _MONTHLY=2: prune --dry-run says what keeps each backup, prune keeps exactly that set in both stores, the drilled one and foreign files too', async () => {
    const now = new Date();
    const names = Array.from({ length: 60 }, (_, i) => formatBackupName(new Date(now.getTime() - i * DAY - 3_600_000), 'UTC'));
    const s = await stores([...names, ...FOREIGN.filter((n) => !n.includes('/'))], names);
    // A drill passed on a 50-day-old backup: retention keeps it.
    const drilled = names[50]!;
    await writeFile(join(s.env.BACKUP_DIR!, 'odoo-ops-drills.json'), JSON.stringify({ drills: [{ backup: drilled, startedAt: now.toISOString(), finishedAt: now.toISOString(), passed: true, source: 'r2', restoreMs: 1, checks: [], failure: null }] }));
    const env = { ...s.env, BACKUP_KEEP_DAILY: '3', BACKUP_KEEP_MONTHLY: '2' };
    // Expected: the 3 newest, the newest of this month (the newest of all) and of the month before, and the drilled one.
    const month = (name: string) => name.slice(12, 19);
    const previousMonth = names.find((n) => month(n) !== month(names[0]!))!;
    const expected = [...new Set([names[0]!, names[1]!, names[2]!, previousMonth, drilled])].sort();

    const dry = await runCli(['prune', '--dry-run', '--json'], env, testbed.workDir);
    expect(dry.code).toBe(0);
    const document = JSON.parse(dry.out);
    expect(document.rule).toBe('gfs');
    const keptByDry = document.decisions.filter((d: { keep: boolean }) => d.keep).map((d: { name: string }) => d.name).sort();
    expect(keptByDry).toEqual(expected);
    expect(document.decisions.find((d: { name: string }) => d.name === drilled).reasons).toContain('newest drilled backup');
    expect(document.decisions.find((d: { name: string }) => d.name === previousMonth).reasons).toContain(`monthly ${month(previousMonth)}`);
    expect((await s.localNames()).filter(isBackupName)).toHaveLength(60);
    const text = await runCli(['prune', '--dry-run'], env, testbed.workDir);
    expect(text.out).toContain(`keep ${drilled}: newest drilled backup`);

    const run = await runCli(['prune', '--json'], env, testbed.workDir);
    expect(run.code).toBe(0);
    expect((await s.localNames()).filter(isBackupName)).toEqual(expected);
    expect(await s.r2Names()).toEqual(expected);
    const left = await readdir(s.env.BACKUP_DIR!);
    for (const foreign of FOREIGN.filter((n) => !n.includes('/'))) expect(left).toContain(foreign);
    expect(left).toContain('odoo-ops-drills.json');
  }, 120_000);
});
