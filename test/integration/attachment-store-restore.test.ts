import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { AttachmentStore } from '../../services/attachment-store/attachment-store.js';
import { checkAttachmentCompleteness, completenessWarning } from '../../services/attachment-store/check-completeness.js';
import { buildFilestoreIndex, formatFilestoreIndex, parseFilestoreIndex } from '../../services/attachment-store/filestore-index.js';
import { restoreFromStore } from '../../services/attachment-store/restore-from-store.js';
import { sweepStore } from '../../services/attachment-store/sweep-store.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { keysUnder } from '../helpers/bucket.js';
import { psql } from '../helpers/postgres.js';
import { fileFingerprints } from '../helpers/seed-odoo.js';

const testbed = inject('testbed');
const DB = 'storedb';

async function addFile(filestore: string, content: Buffer): Promise<string> {
  const sha = createHash('sha1').update(content).digest('hex');
  await mkdir(join(filestore, sha.slice(0, 2)), { recursive: true });
  await writeFile(join(filestore, sha.slice(0, 2), sha), content);
  return `${sha.slice(0, 2)}/${sha}`;
}

/** A filestore of `count` files synced to a store of its own. */
async function syncedStore(count = 12) {
  const root = await mkdtemp(join(testbed.workDir, 'store-restore-'));
  const live = join(root, 'filestore', DB);
  const files: string[] = [];
  for (let i = 0; i < count; i++) files.push(await addFile(live, randomBytes(3000 + i)));
  const prefix = `store-restore-${Date.now()}-${Math.floor(Math.random() * 1e6)}/`;
  const store = new AttachmentStore({ client: createS3Client(testbed.s3), bucket: testbed.s3.bucket, bucketPrefix: prefix, database: DB, indexFile: join(root, 'store.index') });
  expect((await store.syncOnce(live)).uploaded).toBe(count);
  const storePrefix = `${prefix}filestore/${DB}/`;
  const stored = async () => (await keysUnder(testbed, storePrefix)).map((k) => k.slice(storePrefix.length)).sort();
  return { root, live, files: files.sort(), store, storePrefix, stored };
}

describe('backups that reference the attachment store', () => {
  it('filestore.index lists every stored file with size and SHA-1, round-trips, and refuses a line that is not one', async () => {
    const s = await syncedStore();
    const pendingOne = await addFile(s.live, randomBytes(100)); // written after the sync: not in the store yet
    const { entries, notStored } = await buildFilestoreIndex(s.store, s.live);
    expect(notStored).toEqual([pendingOne]);
    expect(entries.map((e) => e.storeFname).sort()).toEqual(s.files);
    const text = formatFilestoreIndex(entries);
    expect(parseFilestoreIndex(text)).toEqual([...entries].sort((a, b) => a.storeFname.localeCompare(b.storeFname)));
    expect(text.split('\n')[0]).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{40} \d+ [0-9a-f]{40}$/);
    expect(() => parseFilestoreIndex('../etc/passwd 1 abc\n')).toThrow(/line 1/);
  });

  it('completeness: names missing and mismatched attachments by id, from ir_attachment in a repeatable-read transaction', async () => {
    const s = await syncedStore(4);
    const db = `storecheck_${Date.now()}`;
    await psql(testbed, `CREATE DATABASE ${db}`, 'postgres');
    try {
      const [a, b, c] = s.files as [string, string, string];
      const missing = `aa/aa${'9'.repeat(38)}`;
      await psql(
        testbed,
        `CREATE TABLE ir_attachment (id serial PRIMARY KEY, store_fname varchar, checksum varchar, db_datas bytea);
         INSERT INTO ir_attachment (store_fname, checksum) VALUES
           ('${a}', '${a.slice(3)}'), ('${b}', '${b.slice(3)}'), ('${b}', '${b.slice(3)}'),
           ('${missing}', '${missing.slice(3)}'),
           ('${c}', '${'f'.repeat(40)}');
         INSERT INTO ir_attachment (store_fname, checksum, db_datas) VALUES (NULL, NULL, 'x');`,
        db,
      );
      const { entries } = await buildFilestoreIndex(s.store, s.live);
      const sha = new Map(entries.map((e) => [e.storeFname, e.sha1]));
      const result = await checkAttachmentCompleteness(async (sql) => (await psql(testbed, sql, db)).split('\n'), (f) => sha.get(f));
      expect(result.attachmentRows).toBe(5);
      expect(result.files).toBe(4);
      expect(result.missing).toEqual([{ attachmentId: 4, storeFname: missing }]);
      expect(result.mismatched).toEqual([{ attachmentId: 5, storeFname: c, checksum: 'f'.repeat(40), found: c.slice(3) }]);
      expect(completenessWarning(result)).toMatch(/1 attachment\(s\) refer to files that are missing \(ids 4\).*ids 5/);
    } finally {
      await psql(testbed, `DROP DATABASE ${db}`, 'postgres');
    }
  });

  it('restore from the store: live files hard-linked, the rest fetched, exactly the indexed files, owned by Odoo\'s uid', async () => {
    const s = await syncedStore();
    const { entries } = await buildFilestoreIndex(s.store, s.live);
    const expected = await fileFingerprints(s.live);
    // Since the backup: Odoo's garbage collector deleted three files, and a new file arrived (not in the backup).
    const gone = s.files.slice(0, 3);
    for (const f of gone) await rm(join(s.live, f));
    const extra = await addFile(s.live, randomBytes(77));
    const target = join(s.root, 'restored', DB);
    const owner = process.getuid?.() === 0 ? { uid: 101, gid: 101 } : undefined;
    const result = await restoreFromStore({ entries, liveDir: s.live, targetDir: target, store: s.store, owner });
    expect(result).toMatchObject({ files: 12, linked: 9, fetched: 3 });
    expect(await fileFingerprints(target)).toEqual(expected);
    expect(Object.keys(await fileFingerprints(target))).not.toContain(extra);
    const kept = s.files[5]!;
    expect((await stat(join(target, kept))).ino).toBe((await stat(join(s.live, kept))).ino);
    if (owner) for (const f of Object.keys(expected)) expect((await stat(join(target, f))).uid).toBe(101);
  });

  it('restore from the store is refused before anything is written when a needed object is gone from the bucket and the live filestore', async () => {
    const s = await syncedStore();
    const { entries } = await buildFilestoreIndex(s.store, s.live);
    const lost = s.files[0]!;
    await rm(join(s.live, lost));
    await createS3Client(testbed.s3).send(new DeleteObjectCommand({ Bucket: testbed.s3.bucket, Key: `${s.storePrefix}${lost}` }));
    const target = join(s.root, 'restored', DB);
    await expect(restoreFromStore({ entries, liveDir: s.live, targetDir: target, store: s.store })).rejects.toMatchObject({ stage: 'filestore', userMessage: expect.stringContaining(lost) });
    await expect(readdir(join(s.root, 'restored'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('retention sweep: --dry-run deletes nothing; the sweep deletes only unreferenced objects past the grace period, never outside the prefix', async () => {
    const s = await syncedStore(6);
    const foreignKey = `${s.storePrefix}notes.txt`;
    const s3 = createS3Client(testbed.s3);
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: foreignKey, Body: 'x' }));
    const referenced = new Set(s.files.slice(0, 4));
    const later = new Date(Date.now() + 3600_000);
    // Within the grace period nothing goes, referenced or not.
    expect((await sweepStore(s.store, { referenced, graceSeconds: 7200, dryRun: false, now: later })).deleted).toEqual([]);
    const dry = await sweepStore(s.store, { referenced, graceSeconds: 60, dryRun: true, now: later });
    expect(dry.deleted.sort()).toEqual(s.files.slice(4));
    expect(await s.stored()).toEqual([...s.files, 'notes.txt'].sort());
    const swept = await sweepStore(s.store, { referenced, graceSeconds: 60, dryRun: false, now: later });
    expect(swept).toMatchObject({ examined: 6, kept: 4 });
    // The foreign object under the prefix stays: it is not a filestore path.
    expect(await s.stored()).toEqual([...s.files.slice(0, 4), 'notes.txt'].sort());
    // The index forgot them: the next sync uploads them again (they are still in the filestore).
    expect((await s.store.syncOnce(s.live)).uploaded).toBe(2);
  });
});
