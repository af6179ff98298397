import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import yazl from 'yazl';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { importFromR2 } from '../../services/odoo-zip/fetch-import-key.js';
import { runImport } from '../../services/odoo-zip/run-import.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { runCli } from '../helpers/run-cli.js';
import { testbedEnv } from '../helpers/testbed-env.js';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { changeOdooData, databasesLike, odooHealthy, snapshotOdoo } from '../helpers/odoo-state.js';
import { psql } from '../helpers/postgres.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { runCommand } from '../testbed/run-command.js';

const testbed = inject('testbed');
const db = testbed.stack.db.database;
const dataDir = testbed.stack.odoo.dataDir;
const liveFilestore = join(dataDir, 'filestore', db);

/** dump.sql as Odoo's dump_db makes it: plain `pg_dump --no-owner` of the live database. */
async function plainDump(): Promise<string> {
  const { db: server } = testbed.stack;
  return runCommand('pg_dump', ['-h', '127.0.0.1', '-p', String(server.port), '-U', server.user, '--no-owner', db], { env: { ...process.env, PGPASSWORD: server.password } });
}

/** A zip in Odoo's database-manager layout: dump.sql, manifest.json, filestore/<xx>/<sha1> (osutil.zip_dir: files only, deflated). */
async function odooZip(path: string, dumpSql: string, extra: Array<{ name: string; data: Buffer; mode?: number }> = []): Promise<string> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(dumpSql), 'dump.sql');
  zip.addBuffer(
    Buffer.from(JSON.stringify({ odoo_dump: '1', db_name: 'from_odoo_sh', version: '17.0', version_info: [17, 0, 0, 'final', 0, ''], major_version: '17.0', pg_version: '15.0', modules: { base: '17.0.1.3' } }, null, 4)),
    'manifest.json',
  );
  for (const dir of await readdir(liveFilestore)) {
    for (const file of await readdir(join(liveFilestore, dir))) zip.addBuffer(await readFile(join(liveFilestore, dir, file)), `filestore/${dir}/${file}`);
  }
  for (const entry of extra) zip.addBuffer(entry.data, entry.name, entry.mode ? { mode: entry.mode } : {});
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
  return path;
}

describe('import an Odoo zip', () => {
  let world: BackupWorld;
  let dir: string;

  beforeAll(async () => {
    await rm(liveFilestore, { recursive: true, force: true });
    await seedDatabase(testbed, 120);
    await psql(testbed, "DROP TABLE IF EXISTS ir_config_parameter; CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar UNIQUE, value text); INSERT INTO ir_config_parameter (key, value) VALUES ('database.uuid', 'old-uuid')");
    await seedFilestore(dataDir, db, 8);
    world = await backupWorld(testbed);
    dir = await mkdtemp(join(tmpdir(), 'odoo-zip-import-'));
  });
  afterAll(async () => {
    await psql(testbed, 'DROP TABLE IF EXISTS ir_config_parameter');
  });

  it('a good zip imports through the safe restore: every row and file back, files owned by Odoo, the previous data archived', async () => {
    const wanted = await snapshotOdoo(testbed);
    const zip = await odooZip(join(dir, 'good.zip'), await plainDump());
    await changeOdooData(testbed);
    expect(await snapshotOdoo(testbed)).not.toEqual(wanted);

    const outcome = await runImport(world.services, { file: zip, startedBy: 'test', newUuid: true });
    if (!outcome.ok) throw outcome.error;
    const now = await snapshotOdoo(testbed);
    const { ir_config_parameter: _uuid, ...tables } = now.tables;
    const { ir_config_parameter: _old, ...wantedTables } = wanted.tables;
    expect(tables).toEqual(wantedTables);
    expect(now.files).toEqual(wanted.files);
    expect(await odooHealthy(testbed)).toBe(true);
    for (const file of Object.keys(wanted.files)) expect((await stat(join(liveFilestore, file))).uid).toBe(101);
    // --new-uuid: Odoo's "copy" gets a new identity.
    expect((await psql(testbed, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")).trim()).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome.previousArchive).toMatch(/^odoo_backup_/);
    expect(outcome.warnings.join(' ')).toMatch(/base/);
  });

  it('a zip whose dump.sql fails half-way is refused, the live database and filestore untouched (Odoo\'s manager would have accepted it)', async () => {
    const before = await snapshotOdoo(testbed);
    const dump = await plainDump();
    // An error after some tables were loaded: psql without ON_ERROR_STOP would carry on.
    const cut = dump.indexOf('COPY public.res_partner');
    const broken = `${dump.slice(0, cut)}INSERT INTO no_such_table VALUES (1);\n${dump.slice(cut)}`;
    const zip = await odooZip(join(dir, 'broken.zip'), broken);
    const outcome = await runImport(world.services, { file: zip, startedBy: 'test' });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.stage).toBe('restore-database');
    expect(outcome.error.userMessage).toMatch(/no_such_table/);
    expect(outcome.liveUntouched).toBe(true);
    expect(await snapshotOdoo(testbed)).toEqual(before);
    expect(await databasesLike(testbed, `${db}_restore_`)).toEqual([]);
    expect((await readdir(join(dataDir, 'filestore'))).filter((d) => d.startsWith(`${db}_restore_`))).toEqual([]);
  });

  it('a zip with a ../ entry or a link is refused before anything is written', async () => {
    const before = await snapshotOdoo(testbed);
    const dump = await plainDump();
    // yazl refuses to write "../": the name is patched in place (same length) in both headers.
    const raw = await readFile(await odooZip(join(dir, 'dots.zip'), dump, [{ name: 'filestore/zz/escape.txt', data: Buffer.from('out') }]));
    const patched = Buffer.from(raw.toString('latin1').replaceAll('filestore/zz/escape.txt', 'filestore/../escape.txt'), 'latin1');
    await writeFile(join(dir, 'dots.zip'), patched);
    const link = await odooZip(join(dir, 'link.zip'), dump, [{ name: 'filestore/ab/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]);

    for (const zip of [join(dir, 'dots.zip'), link]) {
      const outcome = await runImport(world.services, { file: zip, startedBy: 'test' });
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error.stage).toBe('verify');
      expect(outcome.error.userMessage).toMatch(/relative path|leaving the folder|link/);
      expect(outcome.liveUntouched).toBe(true);
      expect(await databasesLike(testbed, `${db}_restore_`)).toEqual([]);
      expect((await readdir(join(dataDir, 'filestore'))).filter((d) => d.startsWith(`${db}_restore_`))).toEqual([]);
    }
    // Where the entry would have landed from the staged filestore folder.
    expect(await stat(join(dataDir, 'filestore', 'escape.txt')).catch(() => null)).toBeNull();
    expect(await snapshotOdoo(testbed)).toEqual(before);
  });

  it('without --yes the CLI shows the plan and exits 2, touching nothing; by R2 key (the chat surface) the zip is fetched, imported and its download removed', async () => {
    const wanted = await snapshotOdoo(testbed);
    const zip = await odooZip(join(dir, 'keyed.zip'), await plainDump());
    await changeOdooData(testbed);
    const changed = await snapshotOdoo(testbed);

    const env = testbedEnv(testbed, { BACKUP_DIR: world.backupDir, ADDONS_DIR: world.addonsDir, CF_R2_PREFIX: world.prefix });
    const plan = await runCli(['import', zip], env, dir);
    expect(plan.code, plan.err).toBe(2);
    expect(plan.out).toMatch(/--yes/);
    expect(plan.out).toMatch(/8 files/);
    expect(await snapshotOdoo(testbed)).toEqual(changed);

    await createS3Client(testbed.s3).send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: `${world.prefix}imports/keyed.zip`, Body: await readFile(zip) }));
    const outcome = await importFromR2(world.services, 'imports/keyed.zip', { startedBy: 'test' });
    if (!outcome.ok) throw outcome.error;
    expect(await snapshotOdoo(testbed)).toEqual(wanted);
    expect((await readdir(world.backupDir)).filter((f) => f.startsWith('.import-'))).toEqual([]);
    const refused = await importFromR2(world.services, '../etc/passwd.zip', { startedBy: 'test' });
    expect(refused.ok).toBe(false);
  });
});
