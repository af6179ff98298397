import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { AttachmentStore } from '../../services/attachment-store/attachment-store.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { keysUnder } from '../helpers/bucket.js';
import { runCli } from '../helpers/run-cli.js';
import { fileFingerprints, seedFilestore } from '../helpers/seed-odoo.js';
import { testbedEnv } from '../helpers/testbed-env.js';

const testbed = inject('testbed');
const DB = 'storedb';

/** A data dir and BACKUP_DIR of their own, an R2 prefix of their own, and Odoo-shaped files in the filestore. */
async function setup() {
  const root = await mkdtemp(join(testbed.workDir, 'store-'));
  const dataDir = join(root, 'data');
  const backupDir = join(root, 'backup');
  await mkdir(backupDir, { recursive: true });
  await seedFilestore(dataDir, DB, 30, 4096);
  const filestore = join(dataDir, 'filestore', DB);
  // Odoo's garbage-collector marks and a file whose content does not match its name (a torn write after a full disk).
  await mkdir(join(filestore, 'checklist', 'ab'), { recursive: true });
  await writeFile(join(filestore, 'checklist', 'ab', 'abababababababababababababababababababab'), '');
  const wrong = 'cd/cd' + '0'.repeat(38);
  await mkdir(join(filestore, 'cd'), { recursive: true });
  await writeFile(join(filestore, wrong), 'not what the name says');
  const prefix = `store-${Date.now()}-${Math.floor(Math.random() * 1e6)}/`;
  const env = testbedEnv(testbed, { BACKUP_DIR: backupDir, ODOO_DATA_DIR: dataDir, POSTGRES_DB: DB, CF_R2_PREFIX: prefix });
  const storePrefix = `${prefix}filestore/${DB}/`;
  const stored = async () => (await keysUnder(testbed, storePrefix)).map((k) => k.slice(storePrefix.length)).sort();
  const store = (client = createS3Client(testbed.s3), options: { multipartThresholdBytes?: number } = {}) =>
    new AttachmentStore({ client, bucket: testbed.s3.bucket, bucketPrefix: prefix, database: DB, indexFile: join(backupDir, `attachment-store.${DB}.index`), ...options });
  return { filestore, backupDir, env, wrong, prefix, storePrefix, stored, store };
}

async function addFile(filestore: string, content: Buffer): Promise<string> {
  const sha = createHash('sha1').update(content).digest('hex');
  await mkdir(join(filestore, sha.slice(0, 2)), { recursive: true });
  await writeFile(join(filestore, sha.slice(0, 2), sha), content);
  return `${sha.slice(0, 2)}/${sha}`;
}

/** A client for an R2 that is down: nothing listens on port 1. */
const downClient = () => createS3Client({ ...testbed.s3, endpoint: 'http://127.0.0.1:1' }, { connectMs: 1000, idleMs: 1000, maxAttempts: 2 });

describe('attachment store', () => {
  it('odoo-ops sync uploads every filestore file once under filestore/<db>/<xx>/<sha1>, byte for byte, and never a file whose content is not its name', async () => {
    const s = await setup();
    const expected = Object.keys(await fileFingerprints(s.filestore)).filter((f) => /^[0-9a-f]{2}\/[0-9a-f]{40}$/.test(f) && f !== s.wrong).sort();
    expect(expected).toHaveLength(30);

    const first = await runCli(['sync', '--json'], s.env, testbed.workDir);
    expect(first.code, first.err).toBe(0);
    const doc = JSON.parse(first.out);
    expect(doc).toMatchObject({ scanned: 31, uploaded: 30, alreadyStored: 0, mismatched: [s.wrong], failed: [] });
    expect(await s.stored()).toEqual(expected);
    const s3 = createS3Client(testbed.s3);
    for (const f of expected) {
      const object = await s3.send(new GetObjectCommand({ Bucket: testbed.s3.bucket, Key: `${s.storePrefix}${f}` }));
      expect(Buffer.from(await object.Body!.transformToByteArray()).equals(await readFile(join(s.filestore, f)))).toBe(true);
    }

    // Unchanged filestore: answered from the index, with R2 unreachable, so without a request.
    const again = await s.store(downClient()).syncOnce(s.filestore);
    expect(again).toMatchObject({ scanned: 31, alreadyStored: 30, uploaded: 0, failed: [], indexRebuilt: false });

    // Human output of a second CLI pass.
    const text = await runCli(['sync'], s.env, testbed.workDir);
    expect(text.code).toBe(0);
    expect(text.out).toContain('30 already stored, 0 uploaded');
  });

  it('rebuilds a lost index from the bucket listing without uploading again, and re-uploads objects removed behind its back', async () => {
    const s = await setup();
    expect((await s.store().syncOnce(s.filestore)).uploaded).toBe(30);
    await rm(join(s.backupDir, `attachment-store.${DB}.index`));
    const rebuilt = await s.store().syncOnce(s.filestore);
    expect(rebuilt).toMatchObject({ indexRebuilt: true, uploaded: 0, alreadyStored: 30 });

    const [victim] = await s.stored();
    await createS3Client(testbed.s3).send(new DeleteObjectCommand({ Bucket: testbed.s3.bucket, Key: `${s.storePrefix}${victim}` }));
    const store = s.store();
    await store.rebuildIndex();
    expect(await store.holds(victim!)).toBe(false);
    const healed = await store.syncOnce(s.filestore);
    expect(healed.uploaded).toBe(1);
    expect(await s.stored()).toContain(victim);
  });

  it('uploads a large file multipart and fetches it back identical; a missing object is refused and leaves nothing behind', async () => {
    const s = await setup();
    const big = randomBytes(11 * 1024 * 1024 + 123);
    const fname = await addFile(s.filestore, big);
    const store = s.store(undefined, { multipartThresholdBytes: 1024 * 1024 });
    const result = await store.syncOnce(s.filestore);
    expect(result).toMatchObject({ uploaded: 31, failed: [] });
    expect(result.uploadedBytes).toBeGreaterThan(big.length);
    const out = join(s.backupDir, 'fetched', fname);
    expect(await store.fetchObject(fname, out)).toBe(big.length);
    expect((await readFile(out)).equals(big)).toBe(true);

    const absent = `ee/ee${'1'.repeat(38)}`;
    await expect(store.fetchObject(absent, join(s.backupDir, 'fetched', absent))).rejects.toThrow();
    await expect(readFile(join(s.backupDir, 'fetched', absent))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(join(s.backupDir, 'fetched', `${absent}.part`))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('with R2 down: the pass reports the failures, marks nothing stored, and the next pass uploads them; status shows the lag', async () => {
    const s = await setup();
    const good = s.store();
    expect((await good.syncOnce(s.filestore)).uploaded).toBe(30);
    const fresh = await addFile(s.filestore, randomBytes(5000));
    const down = s.store(downClient());
    const failing = await down.syncOnce(s.filestore);
    expect(failing.failed.map((f) => f.storeFname)).toEqual([fresh]);
    expect(failing.uploaded).toBe(0);
    const lagging = await s.store().status(s.filestore);
    expect(lagging).toMatchObject({ files: 30, pendingFiles: 2 }); // the new file and the mismatched one
    expect(lagging.newestSyncedAt).not.toBeNull();

    const cli = await runCli(['sync', '--json'], s.env, testbed.workDir);
    expect(JSON.parse(cli.out)).toMatchObject({ uploaded: 1, failed: [] });
    expect(await s.stored()).toContain(fresh);
    expect(await s.store().status(s.filestore)).toMatchObject({ files: 31, pendingFiles: 1 });
  });

  it('sync without R2 fails with exit 1 and says what is needed', async () => {
    const s = await setup();
    const env = { ...s.env, CF_R2_ENDPOINT: undefined, CF_R2_BUCKET: undefined, CF_R2_ACCESS_KEY_ID: undefined, CF_R2_SECRET_ACCESS_KEY: undefined };
    const r = await runCli(['sync', '--json'], env, testbed.workDir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error.message).toContain('R2');
    expect(await s.stored()).toEqual([]);
  });
});
