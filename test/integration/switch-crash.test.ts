import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { JOURNAL_FILE } from '../../services/restore/switch-journal.js';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { changeOdooData, databasesLike, odooHealthy, snapshotOdoo, type OdooSnapshot } from '../helpers/odoo-state.js';
import { runCli } from '../helpers/run-cli.js';
import { fileFingerprints, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { testbedEnv } from '../helpers/testbed-env.js';

const testbed = inject('testbed');
const db = testbed.stack.db.database;
const BIN = fileURLToPath(new URL('../../bin/odoo-ops.js', import.meta.url));

/** `odoo-ops <args>` as its own process, killed with SIGKILL at `failpoint`; resolves with how it ended. */
function runUntilKilled(args: string[], env: Record<string, string | undefined>, cwd: string, failpoint: string): Promise<{ signal: string | null; code: number | null; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env, ODOO_OPS_FAILPOINT: failpoint } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, err })));
}

/** The text of `member` (below the archive's top folder) in a backup archive, or null. */
async function tarMember(archive: string, member: string): Promise<string | null> {
  let text: string | null = null;
  await tar.t({
    file: archive,
    onReadEntry: (entry) => {
      if (entry.path.split('/').slice(1).join('/') !== member) return entry.resume();
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => (text = Buffer.concat(chunks).toString('utf8')));
    },
  });
  return text;
}

/** The addons as Odoo sees them: what restores set aside in ADDONS_DIR left out. */
async function addonsFiles(dir: string): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await fileFingerprints(dir)).filter(([path]) => !path.startsWith('.odoo-ops-')));
}

describe('a restore killed at each step of its switch', () => {
  let world: BackupWorld;
  let env: Record<string, string | undefined>;
  let cwd: string;
  let name: string;
  let backedUp: OdooSnapshot;
  let backedUpAddons: Record<string, string>;

  beforeAll(async () => {
    await rm(join(testbed.stack.odoo.dataDir, 'filestore', db), { recursive: true, force: true });
    await seedDatabase(testbed, 80);
    await seedFilestore(testbed.stack.odoo.dataDir, db, 5);
    world = await backupWorld(testbed);
    env = testbedEnv(testbed, { BACKUP_DIR: world.backupDir, ADDONS_DIR: world.addonsDir, CF_R2_PREFIX: world.prefix });
    cwd = await mkdtemp(join(tmpdir(), 'odoo-ops-switch-crash-'));
    const backup = await runCli(['backup', '--json'], env, cwd);
    expect(backup.code, backup.err).toBe(0);
    name = JSON.parse(backup.out).name;
    backedUp = await snapshotOdoo(testbed);
    backedUpAddons = await addonsFiles(world.addonsDir);
  });

  // Killed before the databases' one rename transaction: the next command rolls back.
  // Killed once it committed: the next command finishes the switch.
  const points: Array<[failpoint: string, outcome: 'rolled back' | 'finished']> = [
    ['switch:stop-odoo', 'rolled back'],
    ['switch:rename-databases', 'rolled back'],
    ['switch:rename-databases:done', 'finished'],
    ['switch:set-aside-filestore', 'finished'],
    ['switch:set-aside-filestore:done', 'finished'],
    ['switch:filestore-in', 'finished'],
    ['switch:set-aside-addons', 'finished'],
    ['switch:addons-in', 'finished'],
    ['switch:start-odoo', 'finished'],
    ['switch:health', 'finished'],
  ];

  it.each(points)('killed at %s: status says down until the next command, which leaves one consistent pair (%s) and Odoo serving', async (failpoint, outcome) => {
    await changeOdooData(testbed);
    await writeFile(join(world.addonsDir, 'my_module', 'changed_today.py'), `# ${failpoint}\n`);
    const before = await snapshotOdoo(testbed);
    const addonsBefore = await addonsFiles(world.addonsDir);

    const killed = await runUntilKilled(['restore', name, '--yes', '--with-addons', '--no-safety-backup'], env, cwd, failpoint);
    expect(killed.signal, killed.err).toBe('SIGKILL');
    expect(existsSync(join(world.backupDir, JOURNAL_FILE))).toBe(true);

    // Seen by a bot that keeps running (it does not settle a switch on a status request).
    const seen = await world.services.status.check();
    expect(seen.verdict).toBe('down');
    expect(seen.reasons.join('\n')).toMatch(new RegExp(`restore of ${name.replace(/\./g, '\\.')} was interrupted in its switch: run any odoo-ops command`));

    // The next command, whatever it is, settles the switch first and says what it did.
    const next = await runCli(['list'], env, cwd);
    expect(next.err).toMatch(outcome === 'finished' ? /finished the restore of .* interrupted in its switch/ : /rolled back the restore of .* interrupted in its switch/);
    expect(existsSync(join(world.backupDir, JOURNAL_FILE))).toBe(false);
    expect(await odooHealthy(testbed)).toBe(true);
    const after = await snapshotOdoo(testbed);
    if (outcome === 'finished') {
      expect(after).toEqual(backedUp);
      expect(await addonsFiles(world.addonsDir)).toEqual(backedUpAddons);
      // The data Odoo served until the switch is kept beside it, whole.
      const previous = (await databasesLike(testbed, `${db}_before_`)).at(-1)!;
      expect(await fileFingerprints(join(testbed.stack.odoo.dataDir, 'filestore', previous))).toEqual(before.files);
    } else {
      expect(after).toEqual(before);
      expect(await addonsFiles(world.addonsDir)).toEqual(addonsBefore);
    }
    // No half-restored copy is left, nor anything staged.
    expect(await databasesLike(testbed, `${db}_restore_`)).toEqual([]);
    expect((await readdir(join(testbed.stack.odoo.dataDir, 'filestore'))).filter((d) => d.includes('_restore_'))).toEqual([]);
    expect((await readdir(world.addonsDir)).filter((d) => d.startsWith('.odoo-ops-restore-'))).toEqual([]);
    await rm(join(world.addonsDir, 'my_module', 'changed_today.py'), { force: true });
  });

  it('the next backup archives what the killed restores set aside before dropping it, and says so', async () => {
    const setAside = await databasesLike(testbed, `${db}_before_`);
    expect(setAside.length).toBeGreaterThan(0);
    const backup = await runCli(['backup', '--json'], env, cwd);
    expect(backup.code, backup.err).toBe(0);
    // Dropped only now that archives hold them: one archive more per set-aside database, each saying what it holds.
    expect(await databasesLike(testbed, `${db}_before_`)).toEqual([]);
    const origins = [];
    for (const file of (await readdir(world.backupDir)).filter((f) => f.startsWith('odoo_backup_'))) {
      const manifest = await tarMember(join(world.backupDir, file), 'manifest.json');
      if (manifest) origins.push((JSON.parse(manifest) as { origin?: string }).origin ?? '');
    }
    for (const database of setAside) expect(origins.some((o) => o.includes(`set aside as ${database}`)), database).toBe(true);
  });
});
