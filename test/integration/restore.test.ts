import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runBackup } from '../../services/backup/run-backup.js';
import { formatBackupName } from '../../services/backup/backup-name.js';
import { markNeedsAttention } from '../../services/restore/discard-previous.js';
import { runRestore } from '../../services/restore/run-restore.js';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { keysUnder } from '../helpers/bucket.js';
import { changeOdooData, databasesLike, odooHealthy, odooStartedAt, snapshotOdoo } from '../helpers/odoo-state.js';
import { psql } from '../helpers/postgres.js';
import { fileFingerprints, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { runCommand } from '../testbed/run-command.js';

const testbed = inject('testbed');
const db = testbed.stack.db.database;
const liveFilestore = join(testbed.stack.odoo.dataDir, 'filestore', db);

async function backUp(world: BackupWorld): Promise<string> {
  const outcome = await runBackup(world.services, { startedBy: 'test' });
  if (!outcome.ok) throw outcome.error;
  return outcome.name;
}

describe('restore', () => {
  let world: BackupWorld;

  beforeAll(async () => {
    await rm(liveFilestore, { recursive: true, force: true });
    await seedDatabase(testbed, 300);
    await seedFilestore(testbed.stack.odoo.dataDir, db, 15);
    world = await backupWorld(testbed);
  });

  it('round trip from R2: rows and files equal the backup, Odoo healthy, the previous data kept until the next backup', async () => {
    const backedUp = await snapshotOdoo(testbed);
    const name = await backUp(world);
    // Only R2 holds it now: the restore must fetch it and check R2's SHA-256.
    await rm(join(world.backupDir, name));
    await changeOdooData(testbed);
    const changed = await snapshotOdoo(testbed);
    expect(changed).not.toEqual(backedUp);

    const stages: string[] = [];
    const startedAt = await odooStartedAt(testbed);
    const outcome = await runRestore(world.services, { name, startedBy: 'test', safetyBackup: true, onProgress: (p) => p.state === 'done' && stages.push(p.stage) });
    if (!outcome.ok) throw outcome.error;
    // The database and the filestore are restored side by side: either may finish first.
    expect(stages.slice(0, 7)).toEqual(['lock', 'locate', 'space', 'fetch', 'verify', 'space', 'safety-backup']);
    expect(stages.slice(7, 9).sort()).toEqual(['restore-database', 'restore-filestore']);
    expect(stages.slice(9)).toEqual(['switch', 'archive-previous']);
    expect(await snapshotOdoo(testbed)).toEqual(backedUp);
    expect(await odooHealthy(testbed)).toBe(true);
    // Written as the user Odoo runs as (uid 101 in the odoo:17 image), or Odoo could not read them.
    for (const file of Object.keys(backedUp.files)) expect((await stat(join(liveFilestore, file))).uid).toBe(101);
    expect(outcome.checksummed).toBe(true);
    // Odoo was stopped for the switch, and the downtime reported is that stop.
    expect(await odooStartedAt(testbed)).not.toBe(startedAt);
    expect(outcome.downtimeMs).toBeGreaterThan(0);

    // The safety backup holds the state just before the restore, and was uploaded.
    expect(outcome.safetyBackup).not.toBeNull();
    expect(await keysUnder(testbed, world.prefix)).toContain(`${world.prefix}${outcome.safetyBackup}`);
    // The previous database and filestore are kept, exactly as they were...
    expect(outcome.previousDatabase).toMatch(new RegExp(`^${db}_before_\\d{8}_\\d{6}$`));
    const previous = outcome.previousDatabase!;
    expect(await databasesLike(testbed, `${db}_`)).toEqual([previous]);
    expect(await fileFingerprints(join(testbed.stack.odoo.dataDir, 'filestore', previous))).toEqual(changed.files);
    // ...with nothing else left behind: no staging in BACKUP_DIR, no restored copy.
    expect((await readdir(world.backupDir)).filter((f) => f.startsWith('.'))).toEqual([]);

    // The next successful backup covers the current state: the previous set goes.
    await backUp(world);
    expect(await databasesLike(testbed, `${db}_`)).toEqual([]);
    expect((await readdir(join(testbed.stack.odoo.dataDir, 'filestore'))).filter((d) => d.startsWith(`${db}_`))).toEqual([]);
  });

  it('refuses an archive with one byte flipped, touching nothing', async () => {
    const name = await backUp(world);
    const path = join(world.backupDir, name);
    const bytes = await readFile(path);
    // A byte inside the dump member, well past the headers.
    const at = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    await writeFile(path, bytes);
    await changeOdooData(testbed);
    const before = await snapshotOdoo(testbed);
    const startedAt = await odooStartedAt(testbed);

    const outcome = await runRestore(world.services, { name, startedBy: 'test' });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.stage).toBe('verify');
    expect(outcome.error.userMessage).toMatch(/failed verification .*nothing was changed/);
    expect(outcome.liveUntouched).toBe(true);
    expect(outcome.checks?.some((c) => !c.ok)).toBe(true);
    expect(await snapshotOdoo(testbed)).toEqual(before);
    expect(await odooStartedAt(testbed)).toBe(startedAt);
    expect(await databasesLike(testbed, `${db}_`)).toEqual([]);
  });

  it('stops when pg_restore fails part-way, with the live database untouched and Odoo never stopped', async () => {
    // A CHECK whose function changed after the rows were written: pg_dump succeeds,
    // the dump lists fine, but its data cannot load.
    await psql(
      testbed,
      `CREATE FUNCTION positive(int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 > 0';
       CREATE TABLE trap (x int CHECK (positive(x)));
       INSERT INTO trap VALUES (5);
       CREATE OR REPLACE FUNCTION positive(int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 < 0';`,
    );
    let name: string;
    try {
      name = await backUp(world);
    } finally {
      await psql(testbed, 'DROP TABLE trap; DROP FUNCTION positive(int);');
    }
    const before = await snapshotOdoo(testbed);
    const startedAt = await odooStartedAt(testbed);

    const outcome = await runRestore(world.services, { name, startedBy: 'test', safetyBackup: false });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.stage).toBe('restore-database');
    expect(outcome.error.userMessage).toMatch(/pg_restore exited with code 1: .*trap/s);
    expect(outcome.liveUntouched).toBe(true);
    expect(await snapshotOdoo(testbed)).toEqual(before);
    expect(await odooStartedAt(testbed)).toBe(startedAt);
    // The half-restored copy and the extracted filestore are gone.
    expect(await databasesLike(testbed, `${db}_`)).toEqual([]);
    expect((await readdir(join(testbed.stack.odoo.dataDir, 'filestore'))).sort()).toEqual([db]);
  });

  it('switches back when Odoo does not come up on the restored data', async () => {
    // The stand-in refuses to pass its health check on a filestore holding this marker.
    await writeFile(join(liveFilestore, 'odoo-standin-broken'), '');
    let name: string;
    try {
      name = await backUp(world);
    } finally {
      await rm(join(liveFilestore, 'odoo-standin-broken'));
    }
    await changeOdooData(testbed);
    const before = await snapshotOdoo(testbed);

    const outcome = await runRestore(world.services, { name, startedBy: 'test', safetyBackup: false, healthTimeoutMs: 4000 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.stage).toBe('switch');
    expect(outcome.error.userMessage).toMatch(/did not pass \/web\/health.*switched back .*nothing was lost/);
    expect(outcome.liveUntouched).toBe(false);
    expect(await odooHealthy(testbed)).toBe(true);
    expect(await snapshotOdoo(testbed)).toEqual(before);
    expect(await databasesLike(testbed, `${db}_`)).toEqual([]);
  });

  it('cancelled before the switch (the bot stopping): cleaned up, the live data untouched', async () => {
    const name = await backUp(world);
    await changeOdooData(testbed);
    const before = await snapshotOdoo(testbed);
    const startedAt = await odooStartedAt(testbed);
    const cancel = new AbortController();
    const outcome = await runRestore(world.services, {
      name,
      startedBy: 'test',
      safetyBackup: false,
      signal: cancel.signal,
      // As the copies start: no timer, so the restore is always caught before the switch, however fast pg_restore is
      // (a timer could fire after pg_restore finished, and the switch ignores the signal).
      onProgress: (p) => p.stage === 'restore-database' && p.state === 'started' && cancel.abort('the bot is stopping'),
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.userMessage).toMatch(/cancelled: the bot is stopping/);
    expect(outcome.liveUntouched).toBe(true);
    expect(await snapshotOdoo(testbed)).toEqual(before);
    expect(await odooStartedAt(testbed)).toBe(startedAt);
    expect(await databasesLike(testbed, `${db}_`)).toEqual([]);
    expect((await readdir(join(testbed.stack.odoo.dataDir, 'filestore'))).sort()).toEqual([db]);
    expect((await readdir(world.backupDir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('keeps every copy while a failed switch-back awaits a person', async () => {
    await psql(testbed, `CREATE DATABASE "${db}_before_20200101_000000" TEMPLATE template0`, 'postgres');
    await markNeedsAttention(world.backupDir, { restore: 'odoo_backup_2020-01-01_00-00-00.tar.gz', at: new Date().toISOString(), message: 'test' });
    try {
      const outcome = await runBackup(world.services, { startedBy: 'test' });
      if (!outcome.ok) throw outcome.error;
      expect(outcome.warnings.join(' ')).toMatch(/could not switch back .*kept for recovery by hand/);
      expect(await databasesLike(testbed, `${db}_`)).toEqual([`${db}_before_20200101_000000`]);
    } finally {
      await rm(join(world.backupDir, '.odoo-ops-restore-needs-attention.json'));
    }
    await backUp(world);
    expect(await databasesLike(testbed, `${db}_`)).toEqual([]);
  });

  it('refuses with the figures when BACKUP_DIR has no room for the archive and its members, touching nothing', async () => {
    const name = await backUp(world);
    const small = await mkdtemp(join(tmpdir(), 'odoo-ops-small-'));
    await runCommand('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small]);
    try {
      // Same bucket prefix, tiny BACKUP_DIR: the backup must come from R2 and cannot fit.
      const cramped = await backupWorld(testbed, { BACKUP_DIR: small, CF_R2_PREFIX: world.prefix });
      const before = await snapshotOdoo(testbed);
      const startedAt = await odooStartedAt(testbed);
      const outcome = await runRestore(cramped.services, { name, startedBy: 'test' });
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error.stage).toBe('space');
      expect(outcome.error.userMessage).toMatch(/not enough disk space: BACKUP_DIR \(.*\): the fetched archive, its extracted members, the archive of the data the switch sets aside needs [\d.]+ [KM]iB, only [\d.]+ KiB free; nothing was changed/);
      expect(await snapshotOdoo(testbed)).toEqual(before);
      expect(await odooStartedAt(testbed)).toBe(startedAt);
      expect(await readdir(small)).toEqual([]);
    } finally {
      await runCommand('umount', [small]);
    }
  });

  it('restores an archive of the old layout (no manifest.json), saying it was not checked by checksum', async () => {
    const backedUp = await snapshotOdoo(testbed);
    const source = await backUp(world);
    // Rebuilt the way backup.sh made them: `tar czf` below `./`, without manifest.json.
    const work = await mkdtemp(join(tmpdir(), 'odoo-ops-old-'));
    await runCommand('tar', ['-xzf', join(world.backupDir, source), '-C', work]);
    const oldName = formatBackupName(new Date(Date.UTC(2020, 0, 2, 3, 4, 5)), 'UTC');
    const folder = oldName.replace('.tar.gz', '');
    await runCommand('mv', [join(work, source.replace('.tar.gz', '')), join(work, folder)]);
    await rm(join(work, folder, 'manifest.json'));
    const files = join(work, 'files');
    await runCommand('mkdir', [files]);
    await runCommand('tar', ['-xzf', join(work, folder, 'filestore.tar.gz'), '-C', files]);
    await runCommand('tar', ['-czf', join(work, folder, 'filestore.tar.gz'), '-C', files, './filestore']);
    await runCommand('tar', ['-czf', join(world.backupDir, oldName), '-C', work, `./${folder}`]);
    await changeOdooData(testbed);

    const outcome = await runRestore(world.services, { name: oldName, startedBy: 'test', safetyBackup: false });
    if (!outcome.ok) throw outcome.error;
    expect(outcome.checksummed).toBe(false);
    expect(outcome.warnings.join(' ')).toMatch(/no manifest\.json .*not by checksum/);
    expect(await snapshotOdoo(testbed)).toEqual(backedUp);
    expect(await odooHealthy(testbed)).toBe(true);
  });
});
