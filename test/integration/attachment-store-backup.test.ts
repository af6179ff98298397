import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parseFilestoreIndex } from '../../services/attachment-store/filestore-index.js';
import { keysUnder } from '../helpers/bucket.js';
import { changeOdooData, snapshotOdoo } from '../helpers/odoo-state.js';
import { runCli } from '../helpers/run-cli.js';
import { fileFingerprints, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { testbedEnv } from '../helpers/testbed-env.js';
import { runCommand } from '../testbed/run-command.js';

const testbed = inject('testbed');

describe('BACKUP_FILESTORE=store', () => {
  it('a backup carries filestore.index (listed in manifest.json) instead of filestore.tar.gz, every named file is in the store, and it verifies', async () => {
    await seedDatabase(testbed, 50);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 10);
    const backupDir = await mkdtemp(join(testbed.workDir, 'store-backup-'));
    const prefix = `store-backup-${Date.now()}/`;
    const env = testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_PREFIX: prefix, BACKUP_FILESTORE: 'store' });
    const backup = await runCli(['backup', '--json'], env, testbed.workDir);
    expect(backup.code, backup.err).toBe(0);
    const { name } = JSON.parse(backup.out) as { name: string };
    const folder = name.replace(/\.tar\.gz$/, '');
    const out = await mkdtemp(join(testbed.workDir, 'store-backup-x-'));
    await runCommand('tar', ['-xzf', join(backupDir, name), '-C', out]);
    const members = (await runCommand('tar', ['-tzf', join(backupDir, name)])).split('\n').filter(Boolean).map((p) => p.replace(`${folder}/`, ''));
    expect(members).toContain('filestore.index');
    expect(members).not.toContain('filestore.tar.gz');
    const manifest = JSON.parse(await readFile(join(out, folder, 'manifest.json'), 'utf8'));
    expect(manifest.members['filestore.index']).toBeDefined();
    const entries = parseFilestoreIndex(await readFile(join(out, folder, 'filestore.index'), 'utf8'));
    const live = Object.keys(await fileFingerprints(join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database))).filter((f) => /^[0-9a-f]{2}\/[0-9a-f]{40}$/.test(f));
    expect(entries.map((e) => e.storeFname).sort()).toEqual(live.sort());
    const storePrefix = `${prefix}filestore/${testbed.stack.db.database}/`;
    expect((await keysUnder(testbed, storePrefix)).map((k) => k.slice(storePrefix.length)).sort()).toEqual(live.sort());

    const verify = await runCli(['verify', name, '--json'], env, testbed.workDir);
    expect(verify.code, verify.out + verify.err).toBe(0);
    expect(verify.out).toContain('filestore.index');
  }, 120_000);

  it('a backup of the second kind restores: the rows and every content-addressed file come back, the files from the live filestore or the store', async () => {
    await seedDatabase(testbed, 40);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 8);
    const backupDir = await mkdtemp(join(testbed.workDir, 'store-restore-'));
    const prefix = `store-restore-${Date.now()}/`;
    const env = testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_PREFIX: prefix, BACKUP_FILESTORE: 'store' });
    const backup = await runCli(['backup', '--json'], env, testbed.workDir);
    expect(backup.code, backup.err).toBe(0);
    const { name } = JSON.parse(backup.out) as { name: string };
    const hashNamed = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).filter(([f]) => /^[0-9a-f]{2}\/[0-9a-f]{40}$/.test(f)));
    const before = await snapshotOdoo(testbed);
    await changeOdooData(testbed);
    const restore = await runCli(['restore', name, '--yes', '--json'], env, testbed.workDir);
    expect(restore.code, restore.out + restore.err).toBe(0);
    const after = await snapshotOdoo(testbed);
    expect(after.tables).toEqual(before.tables);
    expect(hashNamed(after.files)).toEqual(hashNamed(before.files));
    expect(Object.keys(hashNamed(after.files)).length).toBeGreaterThan(0);
  }, 180_000);
});
