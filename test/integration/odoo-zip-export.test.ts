import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseArchiveManifest } from '../../services/backup/archive-manifest.js';
import { runBackup } from '../../services/backup/run-backup.js';
import { exportOdooZip } from '../../services/odoo-zip/export-odoo-zip.js';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { membersOf, packBackup } from '../helpers/craft-archive.js';
import { psql, tableFingerprints } from '../helpers/postgres.js';
import { fileFingerprints, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { runCommand } from '../testbed/run-command.js';
import { runCli } from '../helpers/run-cli.js';
import { testbedEnv } from '../helpers/testbed-env.js';

const testbed = inject('testbed');
const db = testbed.stack.db.database;
const liveFilestore = join(testbed.stack.odoo.dataDir, 'filestore', db);
const MODULES = { base: '17.0.1.3', web: '17.0.1.0', my_module: '17.0.1.0.0' };

/** ir_module_module as Odoo keeps it: installed modules and one that is not. */
async function seedModules(): Promise<void> {
  await psql(
    testbed,
    `DROP TABLE IF EXISTS ir_module_module;
     CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL, state varchar, latest_version varchar);
     INSERT INTO ir_module_module (name, state, latest_version) VALUES
       ('base', 'installed', '17.0.1.3'), ('web', 'installed', '17.0.1.0'), ('my_module', 'installed', '17.0.1.0.0'), ('sale', 'uninstalled', NULL);`,
  );
}

/**
 * What Odoo 17's restore_db does with a zip (odoo/service/db.py): a fresh
 * database from template0, only dump.sql and filestore/ extracted, dump.sql
 * loaded with psql (here with ON_ERROR_STOP, which Odoo omits, so that any
 * error fails the test), filestore/ moved to <data_dir>/filestore/<db>.
 */
async function restoreAsOdooWould(zip: string, scratch: string): Promise<{ filestore: string; manifest: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'odoo-zip-'));
  await runCommand('unzip', ['-q', zip, '-d', dir]);
  await psql(testbed, `DROP DATABASE IF EXISTS "${scratch}"`, 'postgres');
  await psql(testbed, `CREATE DATABASE "${scratch}" ENCODING 'unicode' LC_COLLATE 'C' TEMPLATE template0`, 'postgres');
  const { db: server } = testbed.stack;
  await runCommand('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-U', server.user, '-d', scratch, '-qX', '-v', 'ON_ERROR_STOP=1', '-f', join(dir, 'dump.sql')], {
    env: { ...process.env, PGPASSWORD: server.password },
  });
  return { filestore: join(dir, 'filestore'), manifest: JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) };
}

describe('export to Odoo zip', () => {
  let world: BackupWorld;

  beforeAll(async () => {
    await rm(liveFilestore, { recursive: true, force: true });
    await seedDatabase(testbed, 150);
    await seedModules();
    await seedFilestore(testbed.stack.odoo.dataDir, db, 12);
    world = await backupWorld(testbed);
  });
  afterAll(async () => {
    await psql(testbed, 'DROP TABLE IF EXISTS ir_module_module');
  });

  it('a backup records the installed modules, and its zip restores in Odoo\'s way to the same rows and files, with Odoo\'s manifest', async () => {
    const backup = await runBackup(world.services, { startedBy: 'test' });
    if (!backup.ok) throw backup.error;
    const ours = parseArchiveManifest((await membersOf(join(world.backupDir, backup.name)))['manifest.json']!.toString());
    expect(ours.modules).toEqual(MODULES);

    const out = join(world.backupDir, 'export.zip');
    const outcome = await exportOdooZip(world.services, { name: backup.name, out, withFilestore: true });
    if (!outcome.ok) throw outcome.error;
    expect(outcome.files).toBe(12);
    // unzip -t checks every entry's CRC.
    expect(await runCommand('unzip', ['-tq', out])).toMatch(/No errors detected/);

    const scratch = `${db}_zipcheck`;
    const restored = await restoreAsOdooWould(out, scratch);
    expect(await tableFingerprints(testbed, scratch)).toEqual(await tableFingerprints(testbed, db));
    expect(await fileFingerprints(restored.filestore)).toEqual(await fileFingerprints(liveFilestore));
    expect(restored.manifest).toEqual({
      odoo_dump: '1',
      db_name: db,
      version: '17.0',
      version_info: [17, 0, 0, 'final', 0, ''],
      major_version: '17.0',
      pg_version: '15.0',
      modules: MODULES,
    });
    await psql(testbed, `DROP DATABASE IF EXISTS "${scratch}"`, 'postgres');
  });

  it('an old scripts\' archive without manifest.json exports too, its modules read from the dump; --no-filestore leaves filestore/ out', async () => {
    const backup = await runBackup(world.services, { startedBy: 'test' });
    if (!backup.ok) throw backup.error;
    const members = await membersOf(join(world.backupDir, backup.name));
    const oldName = 'odoo_backup_2020-01-02_03-04-05.tar.gz';
    await packBackup(world.backupDir, oldName, { 'database.dump': members['database.dump']!, 'filestore.tar.gz': members['filestore.tar.gz']!, 'addons.tar.gz': members['addons.tar.gz']! }, { noManifest: true });

    const out = join(world.backupDir, 'old.zip');
    const outcome = await exportOdooZip(world.services, { name: oldName, out, withFilestore: false });
    if (!outcome.ok) throw outcome.error;
    expect(outcome.warnings.join(' ')).toMatch(/no manifest\.json/);
    const listing = await runCommand('unzip', ['-Z1', out]);
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(['dump.sql', 'manifest.json']);
    const restored = await restoreAsOdooWould(out, `${db}_zipcheck_old`);
    expect(restored.manifest.modules).toEqual(MODULES);
    expect(restored.manifest.major_version).toBe('17.0');
    expect(await tableFingerprints(testbed, `${db}_zipcheck_old`)).toEqual(await tableFingerprints(testbed, db));
    await psql(testbed, `DROP DATABASE IF EXISTS "${db}_zipcheck_old"`, 'postgres');
  });

  it('a damaged member fails the export and leaves no zip behind', async () => {
    const backup = await runBackup(world.services, { startedBy: 'test' });
    if (!backup.ok) throw backup.error;
    const members = await membersOf(join(world.backupDir, backup.name));
    const name = 'odoo_backup_2020-01-02_03-04-06.tar.gz';
    const good = { 'database.dump': members['database.dump']!, 'filestore.tar.gz': members['filestore.tar.gz']!, 'addons.tar.gz': members['addons.tar.gz']! };
    // The manifest describes other bytes than the dump the archive holds.
    await packBackup(world.backupDir, name, good, { manifest: { members: { ...parseArchiveManifest(members['manifest.json']!.toString()).members, 'database.dump': { sizeBytes: 1, sha256: '0'.repeat(64) } } } });
    const out = join(world.backupDir, 'bad.zip');
    const outcome = await exportOdooZip(world.services, { name, out, withFilestore: true });
    expect(outcome.ok).toBe(false);
    expect(await readFile(out).catch(() => null)).toBeNull();
  });

  it('odoo-ops export <name> writes <name>.zip in the working directory; an unknown name fails with exit 1', async () => {
    const backup = await runBackup(world.services, { startedBy: 'test' });
    if (!backup.ok) throw backup.error;
    const cwd = await mkdtemp(join(tmpdir(), 'odoo-zip-cli-'));
    const env = testbedEnv(testbed, { BACKUP_DIR: world.backupDir, ADDONS_DIR: world.addonsDir, CF_R2_PREFIX: world.prefix });
    const done = await runCli(['export', backup.name.replace(/\.tar\.gz$/, ''), '--json'], env, cwd);
    expect(done.code, done.err).toBe(0);
    const zip = join(cwd, backup.name.replace(/\.tar\.gz$/, '.zip'));
    expect(JSON.parse(done.out).out).toBe(zip);
    expect(await runCommand('unzip', ['-tq', zip])).toMatch(/No errors detected/);
    const missing = await runCli(['export', 'odoo_backup_2001-01-01_00-00-00'], env, cwd);
    expect(missing.code).toBe(1);
  });
});
