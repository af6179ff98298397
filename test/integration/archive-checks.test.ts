import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { planRestore } from '../../commands/restore.js';
import { formatBackupName } from '../../services/backup/backup-name.js';
import { runBackup } from '../../services/backup/run-backup.js';
import { runRestore } from '../../services/restore/run-restore.js';
import { verifyBackup } from '../../services/restore/verify-backup.js';
import { renderRestorePlanText } from '../../src/cli/render-text.js';
import { renderRestoreOffer } from '../../src/slack/render-restore.js';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { gzipTar, membersOf, packBackup, type CraftedEntry, type PackOptions } from '../helpers/craft-archive.js';
import { changeOdooData, databasesLike, odooHealthy, odooStartedAt, snapshotOdoo } from '../helpers/odoo-state.js';
import { fileFingerprints, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';

const testbed = inject('testbed');
const db = testbed.stack.db.database;
const liveFilestore = join(testbed.stack.odoo.dataDir, 'filestore', db);

let serial = 0;
/** A fresh backup name for each crafted archive. */
const nextName = () => formatBackupName(new Date(Date.UTC(2021, 0, 1, 0, 0, serial++)), 'UTC');

/** Two ordinary attachments under `filestore/<folder>/`, then `extra`. */
const filestoreWith = (folder: string, ...extra: CraftedEntry[]) =>
  gzipTar([
    { path: 'filestore/', type: 'Directory' },
    { path: `filestore/${folder}/`, type: 'Directory' },
    { path: `filestore/${folder}/ab/`, type: 'Directory' },
    { path: `filestore/${folder}/ab/ab01`, data: 'attachment one' },
    { path: `filestore/${folder}/ab/ab02`, data: 'attachment two' },
    ...extra,
  ]);

describe('archive checks: verify refuses what restore would refuse, against the target', () => {
  let world: BackupWorld;
  let real: Record<string, Buffer>;
  /** The rows the real dump holds. */
  let dumpedTables: Record<string, string>;

  beforeAll(async () => {
    await rm(liveFilestore, { recursive: true, force: true });
    await seedDatabase(testbed, 60);
    await seedFilestore(testbed.stack.odoo.dataDir, db, 3);
    world = await backupWorld(testbed);
    const backup = await runBackup(world.services, { startedBy: 'test' });
    if (!backup.ok) throw backup.error;
    real = await membersOf(join(world.backupDir, backup.name));
    dumpedTables = (await snapshotOdoo(testbed)).tables;
  });

  const pack = (members: Partial<Record<'database.dump' | 'filestore.tar.gz' | 'addons.tar.gz', Buffer>>, options: PackOptions = {}) => {
    const name = nextName();
    return packBackup(world.backupDir, name, { 'database.dump': real['database.dump']!, 'filestore.tar.gz': real['filestore.tar.gz']!, 'addons.tar.gz': real['addons.tar.gz']!, ...members }, { manifest: { database: db }, ...options }).then(() => name);
  };

  /** verify fails naming `problem`, and a restore stops at verify with the live data and Odoo untouched. */
  async function expectRefused(name: string, problem: RegExp, restoreOptions: { withAddons?: boolean } = {}) {
    const verified = await verifyBackup(world.services, name);
    if (!verified.ok) throw verified.error;
    expect(verified.verified.ok).toBe(false);
    expect(verified.verified.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`).join('\n')).toMatch(problem);

    const before = await snapshotOdoo(testbed);
    const startedAt = await odooStartedAt(testbed);
    // Earlier restores of this file keep their previous data until a backup: nothing may be added.
    const databasesBefore = await databasesLike(testbed, `${db}_`);
    const foldersBefore = (await readdir(join(testbed.stack.odoo.dataDir, 'filestore'))).sort();
    const outcome = await runRestore(world.services, { name, startedBy: 'test', ...restoreOptions });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.stage).toBe('verify');
    expect(outcome.error.userMessage).toMatch(problem);
    expect(outcome.liveUntouched).toBe(true);
    expect(await snapshotOdoo(testbed)).toEqual(before);
    expect(await odooStartedAt(testbed)).toBe(startedAt);
    expect(await databasesLike(testbed, `${db}_`)).toEqual(databasesBefore);
    expect((await readdir(join(testbed.stack.odoo.dataDir, 'filestore'))).sort()).toEqual(foldersBefore);
  }

  const malicious: Array<[string, CraftedEntry[], RegExp]> = [
    ['a ../ path', [{ path: '../x', data: 'x' }], /filestore\.tar\.gz entries: .*"\.\.\/x" has a '\.\.' part/],
    ['an absolute path', [{ path: '/etc/x', data: 'x' }], /"\/etc\/x" is an absolute path/],
    ['a path climbing out with a/../../', [{ path: `filestore/${db}/a/../../x`, data: 'x' }], /a\/\.\.\/\.\.\/x" has a '\.\.' part/],
    ['a symlink to /etc/passwd', [{ path: `filestore/${db}/ab/pw`, type: 'SymbolicLink', linkpath: '/etc/passwd' }], /ab\/pw" is a symbolic link \(to "\/etc\/passwd"\): the filestore never holds links/],
    ['a symlink to ../../..', [{ path: `filestore/${db}/up`, type: 'SymbolicLink', linkpath: '../../..' }], /up" is a symbolic link \(to "\.\.\/\.\.\/\.\."\)/],
    ['a hard link to /etc/passwd', [{ path: `filestore/${db}/ab/hpw`, type: 'Link', linkpath: '/etc/passwd' }], /hpw" is a hard link \(to "\/etc\/passwd"\)/],
    ['a hard link to a path outside', [{ path: `filestore/${db}/ab/out`, type: 'Link', linkpath: '../../../outside' }], /out" is a hard link \(to "\.\.\/\.\.\/\.\.\/outside"\)/],
    ['a character device', [{ path: `filestore/${db}/ab/null`, type: 'CharacterDevice' }], /null" is a character device: only files and folders are restored/],
    ['a FIFO', [{ path: `filestore/${db}/ab/pipe`, type: 'FIFO' }], /pipe" is a FIFO \(named pipe\)/],
    [
      'a file written through a symlinked folder',
      [
        { path: `filestore/${db}/cd`, type: 'SymbolicLink', linkpath: '/tmp' },
        { path: `filestore/${db}/cd/planted`, data: 'x' },
      ],
      /cd" is a symbolic link \(to "\/tmp"\)/,
    ],
  ];
  for (const [what, extra, problem] of malicious) {
    it(`filestore.tar.gz with ${what}: verify fails saying so, restore refuses at verify touching nothing`, async () => {
      const name = await pack({ 'filestore.tar.gz': filestoreWith(db, ...extra) });
      await expectRefused(name, problem);
    });
  }

  it('addons.tar.gz with a symlink escaping the tree, or a file written through an in-tree symlink: refused at verify', async () => {
    const escaping = await pack({ 'addons.tar.gz': gzipTar([{ path: './', type: 'Directory' }, { path: './evil', type: 'SymbolicLink', linkpath: '../../../etc' }]) });
    await expectRefused(escaping, /addons\.tar\.gz entries: .*evil" is a symbolic link to "\.\.\/\.\.\/\.\.\/etc", which leads outside the restored folder/, { withAddons: true });
    const through = await pack({
      'addons.tar.gz': gzipTar([{ path: './', type: 'Directory' }, { path: './sub/', type: 'Directory' }, { path: './lnk', type: 'SymbolicLink', linkpath: 'sub' }, { path: './lnk/x.py', data: '#' }]),
    });
    await expectRefused(through, /lnk\/x\.py" goes through the symbolic link "lnk"/, { withAddons: true });
  });

  it('a setuid file verifies, and is restored without its setuid bit, owned by Odoo', async () => {
    const name = await pack({ 'filestore.tar.gz': filestoreWith(db, { path: `filestore/${db}/ab/suid`, data: 'x', mode: 0o6755 }, { path: `filestore/${db}/sticky/`, type: 'Directory', mode: 0o1777 }) });
    const verified = await verifyBackup(world.services, name);
    if (!verified.ok) throw verified.error;
    expect(verified.verified.ok).toBe(true);
    const outcome = await runRestore(world.services, { name, startedBy: 'test', safetyBackup: false });
    if (!outcome.ok) throw outcome.error;
    const suid = await stat(join(liveFilestore, 'ab', 'suid'));
    expect(suid.mode & 0o7777).toBe(0o755);
    expect(suid.uid).toBe(101);
    expect((await stat(join(liveFilestore, 'sticky'))).mode & 0o7000).toBe(0);
  });

  it('refuses a dump from PostgreSQL 17 (the server runs 15) and a manifest of format 99 at verify', async () => {
    const newer = await pack({}, { manifest: { database: db, postgresVersion: '17.2 (Debian 17.2-1)' } });
    await expectRefused(newer, /PostgreSQL version: dumped by PostgreSQL 17, but the server runs 15/);
    const future = await pack({}, { manifest: { database: db, formatVersion: 99 } });
    await expectRefused(future, /manifest format: manifest\.json has format version 99; this odoo-ops reads versions 1 to 2/);
    // The old layout says its version in backup.info only.
    const oldNewer = await pack({}, { noManifest: true, info: `date=2021-01-01\ndatabase=${db}\npostgres_version=17.0\n` });
    await expectRefused(oldNewer, /dumped by PostgreSQL 17, but the server runs 15/);
  });

  it('an archive of another database restores into POSTGRES_DB, the plan, the offer and the result naming both', async () => {
    const files = { 'ab/ab01': 'attachment one', 'ab/ab02': 'attachment two' };
    const name = await pack({ 'filestore.tar.gz': filestoreWith('otherdb') }, { manifest: { database: 'otherdb' } });

    const planned = await planRestore(world.services, name, { safetyBackup: false, withAddons: false }, { readLabel: true });
    if (!planned.ok) throw planned.error;
    expect(planned.plan.archiveDatabase).toBe('otherdb');
    expect(renderRestorePlanText(planned.plan, 'UTC')).toMatch(new RegExp(`archive of the database "otherdb", not "${db}": its data would replace "${db}"`));
    const offer = renderRestoreOffer(planned.plan, { id: 'o1', name, requestedBy: 'U0ADMIN1', channelId: 'C0OPS', expiresAt: Date.now() + 600_000 } as never, 'UTC');
    expect(JSON.stringify(offer.blocks)).toMatch(new RegExp(`archive of the database \\*otherdb\\*, not \\*${db}\\*`));

    await changeOdooData(testbed);
    const outcome = await runRestore(world.services, { name, startedBy: 'test', safetyBackup: false });
    if (!outcome.ok) throw outcome.error;
    expect(outcome.warnings.join('\n')).toMatch(new RegExp(`archive is of the database "otherdb", not POSTGRES_DB "${db}"`));
    const restored = await snapshotOdoo(testbed);
    expect(Object.keys(restored.files).sort()).toEqual(Object.keys(files));
    expect(restored.tables).toEqual(dumpedTables);
    expect(await odooHealthy(testbed)).toBe(true);
  });

  it('an old data-dir filestore.tar.gz restores only the archive database\'s folder and names what it ignored', async () => {
    const mine = randomBytes(2000);
    const name = await pack(
      {
        'filestore.tar.gz': gzipTar([
          { path: './', type: 'Directory' },
          { path: './filestore/', type: 'Directory' },
          { path: `./filestore/${db}/`, type: 'Directory' },
          { path: `./filestore/${db}/ef/ef01`, data: mine },
          { path: './filestore/otherdb/', type: 'Directory' },
          { path: './filestore/otherdb/12/1234', data: 'not ours' },
          { path: './sessions/', type: 'Directory' },
          { path: './sessions/werkzeug_abc.sess', data: 'session' },
          { path: './addons/17.0/', type: 'Directory' },
          { path: './addons/17.0/some_app/__init__.py', data: '#' },
        ]),
      },
      { noManifest: true, info: `date=2021-01-01\ndatabase=${db}\n` },
    );
    const outcome = await runRestore(world.services, { name, startedBy: 'test', safetyBackup: false });
    if (!outcome.ok) throw outcome.error;
    expect(outcome.warnings.join('\n')).toMatch(new RegExp(`only filestore/${db} is restored; ignored: addons, filestore/otherdb, sessions`));
    expect(Object.keys(await fileFingerprints(liveFilestore))).toEqual(['ef/ef01']);
    expect(await databasesLike(testbed, 'otherdb')).toEqual([]);
  });
});
