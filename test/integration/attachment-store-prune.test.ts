import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { pruneStore } from '../../services/attachment-store/prune-store.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { backupWorld } from '../helpers/backup-services.js';
import { keysUnder } from '../helpers/bucket.js';
import { runCli } from '../helpers/run-cli.js';
import { attachmentsForFilestore, seedDatabase } from '../helpers/seed-odoo.js';
import { testbedEnv } from '../helpers/testbed-env.js';

const testbed = inject('testbed');
const live = () => join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database);

async function addLiveFile(content: Buffer): Promise<string> {
  const sha = createHash('sha1').update(content).digest('hex');
  await mkdir(join(live(), sha.slice(0, 2)), { recursive: true });
  await writeFile(join(live(), sha.slice(0, 2), sha), content);
  return `${sha.slice(0, 2)}/${sha}`;
}

describe('attachment store retention (mark and sweep)', () => {
  it('deletes only stored files that no kept backup\'s filestore.index and not the live data refer to; a dry run lists them and deletes nothing; nothing outside filestore/<db>/ is touched', async () => {
    await seedDatabase(testbed, 5);
    await rm(live(), { recursive: true, force: true });
    const inOldBackup = [await addLiveFile(randomBytes(1000)), await addLiveFile(randomBytes(1001))];
    const inBoth = await addLiveFile(randomBytes(1002));
    await attachmentsForFilestore(testbed);
    const world = await backupWorld(testbed, { BACKUP_FILESTORE: 'store' });
    const cli = (argv: string[]) => runCli(argv, testbedEnv(testbed, { BACKUP_DIR: world.backupDir, CF_R2_PREFIX: world.prefix, BACKUP_FILESTORE: 'store' }), testbed.workDir);
    const first = await cli(['backup', '--json']);
    expect(first.code, first.err).toBe(0);
    const oldBackup = (JSON.parse(first.out) as { name: string }).name;

    // Odoo's garbage collector removed two files and their rows; a new file arrived; a second backup.
    for (const f of inOldBackup) await rm(join(live(), f));
    const arrived = await addLiveFile(randomBytes(1003));
    await attachmentsForFilestore(testbed);
    const second = await cli(['backup', '--json']);
    expect(second.code, second.err).toBe(0);
    const newBackup = (JSON.parse(second.out) as { name: string }).name;
    // Synced, then deleted from the live filestore before any backup named it: only the store has it.
    const orphan = await addLiveFile(randomBytes(1004));
    await world.services.attachmentStore!.syncOnce(live());
    await rm(join(live(), orphan));

    // Objects beside the store that the sweep must never touch: another database's store, and a foreign key under the prefix.
    const s3 = createS3Client(testbed.s3);
    const foreign = [`${world.prefix}filestore/otherdb/${orphan}`, `${world.prefix}filestore/${testbed.stack.db.database}/notes.txt`, `${world.prefix}elsewhere/${orphan}`];
    for (const Key of foreign) await s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key, Body: 'x' }));
    const storePrefix = `${world.prefix}filestore/${testbed.stack.db.database}/`;
    const stored = async () => (await keysUnder(testbed, storePrefix)).map((k) => k.slice(storePrefix.length)).filter((k) => k !== 'notes.txt').sort();
    const everything = [...inOldBackup, inBoth, arrived, orphan].sort();
    expect(await stored()).toEqual(everything);

    // Both backups kept: only the orphan goes (grace 0 here; the default is a day).
    const dry = await pruneStore(world.services, { kept: [oldBackup, newBackup], dryRun: true, graceSeconds: 0, now: new Date(Date.now() + 5000) });
    expect(dry.deleted).toEqual([orphan]);
    expect(await stored()).toEqual(everything);
    // Within the grace period nothing goes.
    expect((await pruneStore(world.services, { kept: [oldBackup, newBackup], dryRun: false })).deleted).toEqual([]);
    expect(await stored()).toEqual(everything);

    // The old backup is no longer kept: its two files go too.
    const swept = await pruneStore(world.services, { kept: [newBackup], dryRun: false, graceSeconds: 0, now: new Date(Date.now() + 5000) });
    expect(swept.deleted.sort()).toEqual([...inOldBackup, orphan].sort());
    expect(await stored()).toEqual([inBoth, arrived].sort());
    for (const key of foreign) expect(await keysUnder(testbed, key)).toEqual([key]);

    // The kept backup still restores completely from the store.
    const restore = await cli(['restore', newBackup, '--yes', '--json']);
    expect(restore.code, restore.out + restore.err).toBe(0);

    // A kept backup that cannot be read refuses the whole sweep: nothing deleted.
    const orphan2 = await addLiveFile(randomBytes(1005));
    await world.services.attachmentStore!.syncOnce(live());
    await rm(join(live(), orphan2));
    await writeFile(join(world.backupDir, 'odoo_backup_2020-01-01_00-00-00.tar.gz'), 'not an archive');
    await expect(pruneStore(world.services, { kept: [newBackup, 'odoo_backup_2020-01-01_00-00-00.tar.gz'], dryRun: false, graceSeconds: 0, now: new Date(Date.now() + 5000) })).rejects.toThrow(
      /cannot read the kept backup odoo_backup_2020-01-01_00-00-00\.tar\.gz.*nothing was deleted/,
    );
    expect(await stored()).toContain(orphan2);
    await rm(join(world.backupDir, 'odoo_backup_2020-01-01_00-00-00.tar.gz'));

    // prune --dry-run shows the store's part (within the grace period: nothing would go).
    const pruneDry = await cli(['prune', '--dry-run']);
    expect(pruneDry.out + pruneDry.err).toMatch(/attachment store: would delete 0 of 3 stored files/);
    expect(await stored()).toContain(orphan2);
  }, 240_000);
});
