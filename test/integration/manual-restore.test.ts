import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runBackup } from '../../services/backup/run-backup.js';
import { backupWorld } from '../helpers/backup-services.js';
import { psql, tableFingerprints } from '../helpers/postgres.js';
import { fileFingerprints, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { runCommand } from '../testbed/run-command.js';

const testbed = inject('testbed');

/**
 * docs/restore.md, "Restoring by hand, without the bot", step by step with the
 * commands it prints — `docker compose exec db …` becomes `docker exec <db container> …`,
 * and the filestore goes to a scratch directory instead of Odoo's volume.
 */
describe('restoring by hand as docs/restore.md says', () => {
  beforeAll(async () => {
    await seedDatabase(testbed, 300);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 8);
  });

  it('tar, the manifest check, pg_restore into a fresh database from template0, and the filestore give back the same data', async () => {
    const world = await backupWorld(testbed);
    const outcome = await runBackup(world.services, { startedBy: 'test' });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const name = outcome.name.replace(/\.tar\.gz$/, '');
    const work = await mkdtemp(join(tmpdir(), 'odoo-ops-by-hand-'));
    const { db } = testbed.stack;
    const target = `byhand_${Date.now()}`;
    const exec = (args: string[]) => runCommand('docker', ['exec', '-e', `PGPASSWORD=${db.password}`, db.container, ...args]);
    try {
      // 2. Unpack and check it.
      await runCommand('tar', ['-xzf', world.services.local.pathOf(outcome.name)], { cwd: work });
      const checked = await runCommand('sh', ['-c', `jq -r '.members | to_entries[] | "\\(.value.sha256)  \\(.key)"' manifest.json | sha256sum -c -`], { cwd: join(work, name) });
      expect(checked.trim().split('\n').sort()).toEqual(['addons.tar.gz: OK', 'backup.info: OK', 'database.dump: OK', 'filestore.tar.gz: OK']);

      // 4. Restore the database into a fresh one.
      await exec(['createdb', '-U', db.user, '-O', db.user, '-T', 'template0', '-E', 'UTF8', target]);
      await runCommand('docker', ['cp', join(work, name, 'database.dump'), `${db.container}:/tmp/database.dump`]);
      await exec(['pg_restore', '-U', db.user, '-d', target, '--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '/tmp/database.dump']);
      await exec(['rm', '/tmp/database.dump']);
      expect(await tableFingerprints(testbed, target)).toEqual(await tableFingerprints(testbed, db.database));

      // 5. The filestore, extracted where Odoo's data dir would be.
      const volume = join(work, 'var-lib-odoo');
      await runCommand('mkdir', ['-p', volume]);
      await runCommand('tar', ['-xzf', join(work, name, 'filestore.tar.gz'), '-C', volume]);
      expect(await fileFingerprints(join(volume, 'filestore', db.database))).toEqual(await fileFingerprints(join(testbed.stack.odoo.dataDir, 'filestore', db.database)));

      // 6. The addons.
      const addons = join(work, 'addons');
      await runCommand('mkdir', ['-p', addons]);
      await runCommand('tar', ['-xzf', join(work, name, 'addons.tar.gz'), '-C', addons]);
      expect(await fileFingerprints(addons)).toEqual(await fileFingerprints(world.addonsDir));
    } finally {
      await psql(testbed, `DROP DATABASE IF EXISTS "${target}"`, 'postgres');
      await rm(work, { recursive: true, force: true });
    }
  });
});
