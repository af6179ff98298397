import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runBackup } from '../../services/backup/run-backup.js';
import { BACKUP_NAME_PATTERN } from '../../services/backup/backup-name.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { psql, restoreDumpInto, tableFingerprints } from '../helpers/postgres.js';
import { fileFingerprints, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { runCommand } from '../testbed/run-command.js';

const testbed = inject('testbed');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('a backup holds exactly the database, filestore and addons', () => {
  let world: BackupWorld;
  let outcome: Awaited<ReturnType<typeof runBackup>>;
  let extracted: string;

  beforeAll(async () => {
    await seedDatabase(testbed, 500);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 25);
    world = await backupWorld(testbed);
    outcome = await runBackup(world.services, { startedBy: 'test' });
    if (!outcome.ok) throw outcome.error;
    extracted = await mkdtemp(join(tmpdir(), 'odoo-ops-extract-'));
    await runCommand('tar', ['-xzf', join(world.backupDir, outcome.name), '-C', extracted]);
  });

  it('names the archive by the pattern and leaves only it in BACKUP_DIR', async () => {
    if (!outcome.ok) throw outcome.error;
    expect(outcome.name).toMatch(BACKUP_NAME_PATTERN);
    expect(outcome.locations).toEqual(['local', 'r2']);
    expect(await readdir(world.backupDir)).toEqual([outcome.name]);
  });

  it('has the DESIGN layout, and manifest.json matches every member', async () => {
    if (!outcome.ok) throw outcome.error;
    const folder = outcome.name.replace('.tar.gz', '');
    expect(await readdir(extracted)).toEqual([folder]);
    expect((await readdir(join(extracted, folder))).sort()).toEqual(['addons.tar.gz', 'backup.info', 'database.dump', 'filestore.tar.gz', 'manifest.json']);
    const manifest = JSON.parse(await readFile(join(extracted, folder, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ formatVersion: 2, database: 'odoo', name: outcome.name });
    expect(manifest.postgresVersion).toMatch(/^15\./);
    for (const member of ['database.dump', 'filestore.tar.gz', 'addons.tar.gz', 'backup.info']) {
      const bytes = await readFile(join(extracted, folder, member));
      expect(manifest.members[member]).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes) });
    }
    const info = await readFile(join(extracted, folder, 'backup.info'), 'utf8');
    expect(info).toMatch(/^database=odoo$/m);
    expect(info).toMatch(/^postgres_version=15\./m);
  });

  it('restores, with pg_restore by hand, to the same rows in every table', async () => {
    if (!outcome.ok) throw outcome.error;
    const scratch = `scratch_${Date.now()}`;
    await restoreDumpInto(testbed, join(extracted, outcome.name.replace('.tar.gz', ''), 'database.dump'), scratch);
    try {
      const source = await tableFingerprints(testbed, testbed.stack.db.database);
      expect(Object.keys(source)).toEqual(expect.arrayContaining(['ir_attachment', 'res_partner']));
      const restored = await tableFingerprints(testbed, scratch);
      expect(restored).toEqual(source);
      // manifest.json (format 2) counted every table in the dump's own snapshot: the restored rows, exactly.
      const folder = join(extracted, outcome.name.replace('.tar.gz', ''));
      const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
      const counts = Object.fromEntries(Object.entries(restored).map(([table, print]) => [`public.${table}`, Number(print.split(':')[0])]));
      expect(manifest.tables).toEqual(counts);
      const [rows, files] = (await psql(testbed, 'SELECT count(*), count(DISTINCT store_fname) FROM ir_attachment', scratch)).trim().split('|').map(Number);
      expect(manifest.attachments).toEqual({ rows, files });
      expect(rows).toBeGreaterThan(0);
    } finally {
      await psql(testbed, `DROP DATABASE "${scratch}"`, 'postgres');
    }
  });

  it('holds every filestore file and every addon file byte for byte, under filestore/<db>/', async () => {
    if (!outcome.ok) throw outcome.error;
    const folder = join(extracted, outcome.name.replace('.tar.gz', ''));
    const files = await mkdtemp(join(tmpdir(), 'odoo-ops-members-'));
    await runCommand('tar', ['-xzf', join(folder, 'filestore.tar.gz'), '-C', files]);
    await runCommand('mkdir', ['-p', join(files, 'addons')]);
    await runCommand('tar', ['-xzf', join(folder, 'addons.tar.gz'), '-C', join(files, 'addons')]);
    const source = await fileFingerprints(join(testbed.stack.odoo.dataDir, 'filestore', 'odoo'));
    expect(Object.keys(source).length).toBeGreaterThanOrEqual(25);
    expect(await fileFingerprints(join(files, 'filestore', 'odoo'))).toEqual(source);
    expect(await fileFingerprints(join(files, 'addons'))).toEqual(await fileFingerprints(world.addonsDir));
  });

  it('puts a byte-identical object in the bucket, its SHA-256 in the metadata', async () => {
    if (!outcome.ok) throw outcome.error;
    const s3 = createS3Client(testbed.s3);
    const Key = `${world.prefix}${outcome.name}`;
    const local = await readFile(join(world.backupDir, outcome.name));
    const object = await s3.send(new GetObjectCommand({ Bucket: testbed.s3.bucket, Key }));
    const remote = Buffer.from(await object.Body!.transformToByteArray());
    expect(remote.equals(local)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: testbed.s3.bucket, Key }));
    expect(head.Metadata?.sha256).toBe(sha256(local));
    expect(outcome.sha256).toBe(sha256(local));
    expect(outcome.sizeBytes).toBe(local.length);
  });
});
