import { readdir } from 'node:fs/promises';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { formatBackupName } from '../../services/backup/backup-name.js';
import { runBackup } from '../../services/backup/run-backup.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { keysUnder } from '../helpers/bucket.js';
import { backupWorld } from '../helpers/backup-services.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';

const testbed = inject('testbed');
const s3 = createS3Client(testbed.s3);
const FOREIGN_BODY = 'a backup another server wrote under this name';

async function object(key: string) {
  const got = await s3.send(new GetObjectCommand({ Bucket: testbed.s3.bucket, Key: key }));
  return { body: await got.Body!.transformToString(), etag: got.ETag, metadata: got.Metadata };
}

describe('a backup name is never written twice', () => {
  beforeAll(async () => {
    await seedDatabase(testbed, 50);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 3);
  });

  it('a name held only in R2 is skipped for the next free second, the R2 object unchanged; a second backup in the same second gets the next one', async () => {
    const world = await backupWorld(testbed);
    const at = new Date();
    const second = (n: number) => formatBackupName(new Date(at.getTime() + n * 1000), 'UTC');
    const foreignKey = `${world.prefix}${second(0)}`;
    await s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: foreignKey, Body: FOREIGN_BODY, Metadata: { sha256: 'theirs' } }));
    const before = await object(foreignKey);

    const first = await runBackup(world.services, { startedBy: 'test', now: () => at, prune: false });
    if (!first.ok) throw first.error;
    expect(first.name).toBe(second(1));
    expect(first.locations).toEqual(['local', 'r2']);

    const again = await runBackup(world.services, { startedBy: 'test', now: () => at, prune: false });
    if (!again.ok) throw again.error;
    expect(again.name).toBe(second(2));

    expect(await object(foreignKey)).toEqual(before);
    expect(before.body).toBe(FOREIGN_BODY);
    expect((await keysUnder(testbed, world.prefix)).sort()).toEqual([second(0), second(1), second(2)].map((n) => `${world.prefix}${n}`));
    expect((await readdir(world.backupDir)).sort()).toEqual([second(1), second(2)]);
    // Each archive in R2 is the one this server wrote.
    expect((await object(`${world.prefix}${second(1)}`)).metadata?.sha256).toBe(first.sha256);
    expect((await object(`${world.prefix}${second(2)}`)).metadata?.sha256).toBe(again.sha256);
  }, 120_000);

  it('R2 unreachable when the name is chosen: the backup goes on with the local check, and the upload fails without writing', async () => {
    const world = await backupWorld(testbed, { CF_R2_ENDPOINT: 'http://127.0.0.1:9' });
    const outcome = await runBackup(world.services, { startedBy: 'test', prune: false });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.stage).toBe('upload');
    expect(outcome.error.userMessage).toContain(`the local archive ${outcome.localArchive} is kept`);
    expect(await readdir(world.backupDir)).toEqual([outcome.localArchive]);
  }, 120_000);

  it('a name another server takes in R2 while the backup runs is refused at upload: its object unchanged, the local archive kept', async () => {
    const world = await backupWorld(testbed);
    const at = new Date();
    const name = formatBackupName(at, 'UTC');
    const key = `${world.prefix}${name}`;
    let taken: Promise<unknown> = Promise.resolve();
    const outcome = await runBackup(world.services, {
      startedBy: 'test',
      now: () => at,
      prune: false,
      // After the name was chosen (free then), before the upload: the other server wins the race.
      onProgress: (p) => {
        if (p.stage === 'prepare' && p.state === 'done') taken = s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: key, Body: FOREIGN_BODY }));
      },
    });
    await taken;
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.stage).toBe('upload');
    expect(outcome.error.userMessage).toContain(`${name} already exists in R2`);
    expect(outcome.error.userMessage).toContain('refusing to overwrite it');
    expect(outcome.localArchive).toBe(name);
    expect((await object(key)).body).toBe(FOREIGN_BODY);
    expect(await readdir(world.backupDir)).toEqual([name]);
  }, 120_000);

  it('status and doctor warn when R2 holds backups another server wrote under the same prefix, and not for our own R2-only backups', async () => {
    const world = await backupWorld(testbed);
    const ours = await runBackup(world.services, { startedBy: 'test', prune: false });
    if (!ours.ok) throw ours.error;
    // Our own backup, now only in R2 (its local copy pruned by hand): not another server's.
    const { rm } = await import('node:fs/promises');
    await rm(world.services.local.pathOf(ours.name));
    let status = await world.services.status.check();
    expect(status.reasons.join('\n')).not.toMatch(/another server wrote/);

    const theirs = formatBackupName(new Date(Date.now() + 2000), 'UTC');
    await s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: `${world.prefix}${theirs}`, Body: FOREIGN_BODY, Metadata: { sha256: 'theirs', 'odoo-ops-writer': '7000000000000000000/odoo' } }));
    status = await world.services.status.check();
    expect(status.reasons).toContain(`R2 holds backups another server wrote under the same bucket and prefix (${theirs}): give each server its own CF_R2_PREFIX`);
    const doctor = await world.services.preflight.run();
    const r2 = doctor.find((c) => c.name === 'R2')!;
    expect(r2.state).toBe('fail');
    expect(r2.detail).toContain(theirs);
    expect(r2.fix).toMatch(/CF_R2_PREFIX of its own/);
  });
});
