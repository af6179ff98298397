import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { formatBackupName } from '../../services/backup/backup-name.js';
import { pruneOlderThan } from '../../services/backup/prune-backups.js';
import { LocalBackend } from '../../services/storage/local-backend.js';
import { S3Backend } from '../../services/storage/s3-backend.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { keysUnder } from '../helpers/bucket.js';

const testbed = inject('testbed');
const DAY = 86_400_000;
const NOW = new Date('2026-06-30T12:00:00Z');
const nameDaysAgo = (days: number, minute = 0) => formatBackupName(new Date(NOW.getTime() - days * DAY - minute * 60_000), 'UTC');

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
});
