import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServices } from '../../src/build-services.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Services } from '../../services/services.js';
import type { TestbedInfo } from '../testbed/testbed-info.js';
import { testbedEnv } from './testbed-env.js';
import { psql } from './postgres.js';

export interface BackupWorld {
  config: Config;
  services: Services;
  backupDir: string;
  addonsDir: string;
  prefix: string;
}

/**
 * Data earlier tests' restores set aside belongs to their worlds: a new world
 * starts without it (its next backup would otherwise archive it, as it should
 * for a user, into this world's BACKUP_DIR).
 */
export async function dropSetAsides(testbed: TestbedInfo): Promise<void> {
  const db = testbed.stack.db.database;
  const leftovers = (await psql(testbed, `SELECT datname FROM pg_database WHERE datname ~ '^${db}_(before|restore)_'`, 'postgres')).split('\n').filter(Boolean);
  for (const name of leftovers) await psql(testbed, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, 'postgres');
  const filestore = join(testbed.stack.odoo.dataDir, 'filestore');
  for (const entry of await readdir(filestore).catch(() => [] as string[])) {
    if (entry.startsWith(`${db}_before_`) || entry.startsWith(`${db}_restore_`)) await rm(join(filestore, entry), { recursive: true, force: true });
  }
}

/**
 * Services built by the real composition root for the test bed, with a fresh
 * BACKUP_DIR, a small custom addons directory and an R2 prefix of their own, so
 * tests do not see each other's backups.
 */
export async function backupWorld(testbed: TestbedInfo, overrides: Record<string, string | undefined> = {}): Promise<BackupWorld> {
  await dropSetAsides(testbed);
  const root = await mkdtemp(join(tmpdir(), 'odoo-ops-backup-'));
  const addonsDir = join(root, 'addons');
  await mkdir(join(addonsDir, 'my_module', 'models'), { recursive: true });
  await writeFile(join(addonsDir, 'my_module', '__manifest__.py'), "{'name': 'My Module', 'version': '17.0.1.0.0'}\n");
  await writeFile(join(addonsDir, 'my_module', 'models', '__init__.py'), '# models\n');
  const prefix = `t${Date.now()}${Math.floor(Math.random() * 1e6)}/`;
  const config = loadConfig(
    testbedEnv(testbed, { BACKUP_DIR: join(root, 'backup'), ADDONS_DIR: addonsDir, CF_R2_PREFIX: prefix, ...overrides }),
    'cli',
  );
  return { config, services: buildServices(config), backupDir: config.backup.dir, addonsDir, prefix };
}
