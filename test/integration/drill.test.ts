import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { drillCommand } from '../../commands/drill.js';
import { formatBackupName } from '../../services/backup/backup-name.js';
import { runBackup } from '../../services/backup/run-backup.js';
import { readDrillRecord } from '../../services/drill/drill-record.js';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { membersOf, packBackup } from '../helpers/craft-archive.js';
import { databasesLike, odooStartedAt, snapshotOdoo } from '../helpers/odoo-state.js';
import { psql } from '../helpers/postgres.js';
import { attachmentsForFilestore, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';

const testbed = inject('testbed');
const db = testbed.stack.db.database;

describe('restore drill', () => {
  let world: BackupWorld;

  beforeAll(async () => {
    await rm(join(testbed.stack.odoo.dataDir, 'filestore', db), { recursive: true, force: true });
    await seedDatabase(testbed, 300);
    await seedFilestore(testbed.stack.odoo.dataDir, db, 12, 4096);
    await attachmentsForFilestore(testbed);
    world = await backupWorld(testbed);
  });

  it('passes for a good backup, taken from R2, with the right counts and files; the live database and Odoo untouched; no scratch database left', async () => {
    const backup = await runBackup(world.services, { startedBy: 'test' });
    if (!backup.ok) throw backup.error;
    const before = await snapshotOdoo(testbed);
    const started = await odooStartedAt(testbed);

    const reply = await drillCommand(world.services, { startedBy: 'test' });
    if (!reply.ok) throw reply.error;
    const { result } = reply;
    expect(result.failure).toBeNull();
    expect(result.passed).toBe(true);
    expect(result.backup).toBe(backup.name);
    expect(result.source).toBe('r2');
    expect(result.restoreMs).toBeGreaterThan(0);
    const check = (name: string) => result.checks.find((c) => c.name === name);
    expect(check('verify')?.status).toBe('passed');
    expect(check('row-counts')).toMatchObject({ status: 'passed', detail: '2 tables, 313 rows, as in the manifest' });
    expect(check('attachments')).toMatchObject({ status: 'passed', detail: '12 files referenced, all present with their SHA-1' });
    expect(check('registry')?.status).toBe('skipped');

    expect(await snapshotOdoo(testbed)).toEqual(before);
    expect(await odooStartedAt(testbed)).toBe(started);
    expect(await databasesLike(testbed, `${db}_drill_`)).toEqual([]);
    expect((await readdir(world.backupDir)).filter((n) => n.startsWith('.drill-'))).toEqual([]);
    expect((await readDrillRecord(world.backupDir))[0]).toMatchObject({ backup: backup.name, passed: true });
  }, 120_000);

  it('fails, saying which table, for an archive whose manifest counts other rows; scratch database gone', async () => {
    const good = (await readdir(world.backupDir)).find((n) => n.startsWith('odoo_backup_'))!;
    const manifest = JSON.parse((await membersOf(join(world.backupDir, good)))['manifest.json']!.toString());
    const members = await membersOf(join(world.backupDir, good));
    const name = formatBackupName(new Date(Date.now() - 86_400_000), 'UTC');
    await packBackup(world.backupDir, name, members as never, { manifest: { tables: { ...manifest.tables, 'public.res_partner': 999 } } });

    const reply = await drillCommand(world.services, { startedBy: 'test', name });
    if (!reply.ok) throw reply.error;
    expect(reply.result.passed).toBe(false);
    expect(reply.result.failure).toEqual({ stage: 'row-counts', message: 'public.res_partner has 300 rows, the manifest says 999' });
    expect(await databasesLike(testbed, `${db}_drill_`)).toEqual([]);
    expect((await readDrillRecord(world.backupDir))[0]).toMatchObject({ backup: name, passed: false });
  }, 120_000);

  it('fails, naming the file, when the database refers to an attachment the archive lacks', async () => {
    const ghost = `ab/${'ab'.repeat(20)}`;
    await psql(testbed, `INSERT INTO ir_attachment (name, store_fname, checksum) VALUES ('ghost', '${ghost}', '${'ab'.repeat(20)}')`);
    try {
      const backup = await runBackup(world.services, { startedBy: 'test' });
      if (!backup.ok) throw backup.error;
      const reply = await drillCommand(world.services, { startedBy: 'test' });
      if (!reply.ok) throw reply.error;
      expect(reply.result.passed).toBe(false);
      expect(reply.result.failure).toEqual({ stage: 'attachments', message: `1 missing from the archive's filestore: ${ghost}` });
      expect(await databasesLike(testbed, `${db}_drill_`)).toEqual([]);
    } finally {
      await psql(testbed, `DELETE FROM ir_attachment WHERE name = 'ghost'`);
    }
  }, 120_000);

  it('refuses a bad name before doing anything', async () => {
    const reply = await drillCommand(world.services, { startedBy: 'test', name: 'nope; DROP' });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.stage).toBe('usage');
  });
});
