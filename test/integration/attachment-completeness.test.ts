import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { psql } from '../helpers/postgres.js';
import { runCli } from '../helpers/run-cli.js';
import { seedDatabase } from '../helpers/seed-odoo.js';
import { testbedEnv } from '../helpers/testbed-env.js';
import { runCommand } from '../testbed/run-command.js';

const testbed = inject('testbed');

/** Writes `content` into the live filestore under `name` (default: its own SHA-1, as Odoo does); returns the store_fname. */
async function liveFile(content: Buffer, name = createHash('sha1').update(content).digest('hex')): Promise<string> {
  const dir = join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database, name.slice(0, 2));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), content);
  return `${name.slice(0, 2)}/${name}`;
}

/**
 * ir_attachment as Odoo leaves it after a full disk: rows 1-2 fine (sharing a
 * file), row 3 pointing at a file that is gone, row 4 at a file truncated
 * after its checksum was taken (its content no longer matches name or checksum).
 */
async function damagedAttachments(): Promise<{ good: string; gone: string; truncated: string }> {
  await seedDatabase(testbed, 5);
  await rm(join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database), { recursive: true, force: true });
  const good = await liveFile(randomBytes(3000));
  const goneContent = randomBytes(2000);
  const gone = `${createHash('sha1').update(goneContent).digest('hex').slice(0, 2)}/${createHash('sha1').update(goneContent).digest('hex')}`;
  const whole = randomBytes(5000);
  const wholeSha = createHash('sha1').update(whole).digest('hex');
  const truncated = await liveFile(whole.subarray(0, 100), wholeSha);
  const sha = (f: string) => f.slice(3);
  await psql(
    testbed,
    `DELETE FROM ir_attachment; ALTER SEQUENCE ir_attachment_id_seq RESTART WITH 1;
     INSERT INTO ir_attachment (name, store_fname, checksum) VALUES
       ('a.pdf', '${good}', '${sha(good)}'), ('a-again.pdf', '${good}', '${sha(good)}'),
       ('gone.pdf', '${gone}', '${sha(gone)}'), ('truncated.pdf', '${truncated}', '${sha(truncated)}');
     INSERT INTO ir_attachment (name, db_datas) VALUES ('in the database', 'x');`,
  );
  return { good, gone, truncated };
}

async function manifestOf(backupDir: string, name: string): Promise<Record<string, unknown>> {
  const out = await mkdtemp(join(testbed.workDir, 'completeness-x-'));
  await runCommand('tar', ['-xzf', join(backupDir, name), '-C', out]);
  return JSON.parse(await readFile(join(out, name.replace(/\.tar\.gz$/, ''), 'manifest.json'), 'utf8'));
}

describe('attachment completeness, checked in every backup against the dump\'s snapshot', () => {
  it('an archive of the filestore: missing and mismatched attachments are named by id in the backup\'s warnings and counted in manifest.json', async () => {
    const { gone, truncated } = await damagedAttachments();
    const backupDir = await mkdtemp(join(testbed.workDir, 'completeness-archive-'));
    const env = testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_PREFIX: `completeness-a-${Date.now()}/` });
    const backup = await runCli(['backup', '--json'], env, testbed.workDir);
    expect(backup.code, backup.err).toBe(0);
    const outcome = JSON.parse(backup.out) as { name: string; warnings: string[] };
    expect(outcome.warnings).toContainEqual(
      '1 attachment(s) refer to files that are missing (ids 3); 1 attachment(s) refer to files whose content does not match their checksum (ids 4)',
    );
    const manifest = await manifestOf(backupDir, outcome.name);
    expect(manifest.attachmentCheck).toEqual({
      attachmentRows: 4,
      files: 3,
      missing: 1,
      mismatched: 1,
      problems: [
        { attachmentId: 3, storeFname: gone, problem: 'missing' },
        { attachmentId: 4, storeFname: truncated, problem: 'mismatched' },
      ],
    });
  }, 120_000);

  it('a backup of the second kind: a file the store could not take under its name is named as missing from the backup; a complete one has no warning', async () => {
    const { truncated } = await damagedAttachments();
    const backupDir = await mkdtemp(join(testbed.workDir, 'completeness-store-'));
    const env = testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_PREFIX: `completeness-s-${Date.now()}/`, BACKUP_FILESTORE: 'store' });
    const first = await runCli(['backup', '--json'], env, testbed.workDir);
    expect(first.code, first.err).toBe(0);
    const damaged = JSON.parse(first.out) as { name: string; warnings: string[] };
    expect(damaged.warnings).toContainEqual('2 attachment(s) refer to files that are missing (ids 3, 4)');
    expect((await manifestOf(backupDir, damaged.name)).attachmentCheck).toMatchObject({ attachmentRows: 4, files: 3, missing: 2, mismatched: 0 });

    // The damaged rows removed (as an admin would): the next backup is complete and says nothing.
    await psql(testbed, `DELETE FROM ir_attachment WHERE id IN (3, 4)`);
    await rm(join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database, truncated));
    const second = await runCli(['backup', '--json'], env, testbed.workDir);
    expect(second.code, second.err).toBe(0);
    const clean = JSON.parse(second.out) as { name: string; warnings: string[] };
    expect(clean.warnings.filter((w) => /attachment/.test(w))).toEqual([]);
    expect((await manifestOf(backupDir, clean.name)).attachmentCheck).toMatchObject({ attachmentRows: 2, files: 1, missing: 0, mismatched: 0, problems: [] });
  }, 180_000);
});
