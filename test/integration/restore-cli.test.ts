import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { fileFingerprints, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { changeOdooData, odooHealthy, odooStartedAt, snapshotOdoo } from '../helpers/odoo-state.js';
import { runCli } from '../helpers/run-cli.js';
import { testbedEnv } from '../helpers/testbed-env.js';

const testbed = inject('testbed');

describe('odoo-ops restore and verify on the command line', () => {
  let world: BackupWorld;
  let env: Record<string, string | undefined>;
  let cwd: string;
  let name: string;

  beforeAll(async () => {
    await seedDatabase(testbed, 120);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 6);
    world = await backupWorld(testbed);
    env = testbedEnv(testbed, { BACKUP_DIR: world.backupDir, ADDONS_DIR: world.addonsDir, CF_R2_PREFIX: world.prefix });
    cwd = await mkdtemp(join(tmpdir(), 'odoo-ops-restore-cli-'));
    const backup = await runCli(['backup', '--json'], env, cwd);
    expect(backup.code, backup.err).toBe(0);
    name = JSON.parse(backup.out).name;
  });

  it('refuses a name that is not a backup name, saying the expected form (exit 2)', async () => {
    const { code, err } = await runCli(['restore', 'latest', '--yes'], env, cwd);
    expect(code).toBe(2);
    expect(err).toMatch(/expected a backup name such as odoo_backup_2026-01-31_02-00-00\.tar\.gz, not "latest"/);
    const missing = await runCli(['restore', 'odoo_backup_2001-01-01_00-00-00.tar.gz', '--yes'], env, cwd);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no backup named odoo_backup_2001-01-01_00-00-00\.tar\.gz/);
  });

  it('without --yes prints what would happen on stdout, changes nothing, exit 2; the name may come without .tar.gz', async () => {
    await changeOdooData(testbed);
    const before = await snapshotOdoo(testbed);
    const startedAt = await odooStartedAt(testbed);
    // The plan is what was asked for: stdout, so it can be paged or saved (issue 13: it used to go to stderr).
    const { code, err, out } = await runCli(['restore', name], env, cwd);
    expect(code).toBe(2);
    expect(err).toBe('');
    expect(out).toContain(`check ${name}`);
    expect(out).toContain('safety backup');
    expect(out).toContain('Run again with --yes to restore.');
    // The archive's folder name, as docs/restore.md uses it, names the same backup.
    const bare = await runCli(['restore', name.replace(/\.tar\.gz$/, '')], env, cwd);
    expect(bare.code, bare.err).toBe(2);
    // The plan says how long ago the backup was taken; the two runs may be a second apart.
    const sansAge = (text: string) => text.replace(/(\d+[smhd] )?\d+[smhd] ago/g, '<age> ago');
    expect(sansAge(bare.out)).toBe(sansAge(out));
    const planned = await runCli(['restore', name.replace(/\.tar\.gz$/, ''), '--json'], env, cwd);
    expect(JSON.parse(planned.out)).toMatchObject({ error: { stage: 'usage' }, plan: { name } });
    expect(await snapshotOdoo(testbed)).toEqual(before);
    expect(await odooStartedAt(testbed)).toBe(startedAt);
  });

  it('verify --json reports each check; a damaged archive is reported, exit 1', async () => {
    const good = await runCli(['verify', name, '--json'], env, cwd);
    expect(good.code, good.err).toBe(0);
    const report = JSON.parse(good.out);
    const bare = await runCli(['verify', name.replace(/\.tar\.gz$/, ''), '--json'], env, cwd);
    expect(bare.code, bare.err).toBe(0);
    expect(JSON.parse(bare.out)).toMatchObject({ name, ok: true });
    expect(report).toMatchObject({ name, ok: true, checksummed: true, locations: ['local', 'r2'] });
    expect(report.checks.map((c: { check: string }) => c.check)).toEqual(
      expect.arrayContaining(['archive checksum', 'database.dump', 'filestore.tar.gz', 'addons.tar.gz', 'database.dump readable']),
    );

    const damaged = join(world.backupDir, 'odoo_backup_2001-02-03_04-05-06.tar.gz');
    const bytes = await readFile(join(world.backupDir, name));
    await writeFile(damaged, bytes.subarray(0, bytes.length - 2000));
    const bad = await runCli(['verify', 'odoo_backup_2001-02-03_04-05-06.tar.gz'], env, cwd);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/DAMAGED.*\n.*✘ archive readable/);
  });

  it('restore --yes --with-addons --json brings back rows, files and addons', async () => {
    const addonsBefore = await fileFingerprints(world.addonsDir);
    await writeFile(join(world.addonsDir, 'my_module', '__manifest__.py'), "{'name': 'changed'}\n");
    const { code, out, err } = await runCli(['restore', name, '--yes', '--no-safety-backup', '--with-addons', '--json'], env, cwd);
    expect(code, err).toBe(0);
    const document = JSON.parse(out);
    expect(document).toMatchObject({ ok: true, name, database: testbed.stack.db.database, safetyBackup: null, addonsRestored: true });
    const addonsAfter = await fileFingerprints(world.addonsDir);
    const current = Object.fromEntries(Object.entries(addonsAfter).filter(([path]) => !path.startsWith('.')));
    expect(current).toEqual(addonsBefore);
    // The replaced addons are set aside in ADDONS_DIR until the next backup, never lost.
    const setAside = Object.keys(addonsAfter).find((path) => /^\.odoo-ops-before-\d{8}_\d{6}\/my_module\/__manifest__\.py$/.test(path));
    expect(await readFile(join(world.addonsDir, setAside!), 'utf8')).toBe("{'name': 'changed'}\n");
    expect(await odooHealthy(testbed)).toBe(true);
  });
});
