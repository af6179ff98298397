import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { AttachmentStore } from '../../services/attachment-store/attachment-store.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { keysUnder } from '../helpers/bucket.js';

const testbed = inject('testbed');
const DB = 'faultdb';
const MiB = 1024 * 1024;

async function addFile(filestore: string, content: Buffer): Promise<string> {
  const sha = createHash('sha1').update(content).digest('hex');
  await mkdir(join(filestore, sha.slice(0, 2)), { recursive: true });
  await writeFile(join(filestore, sha.slice(0, 2), sha), content);
  return `${sha.slice(0, 2)}/${sha}`;
}

describe('attachment store sync while Odoo changes the filestore', () => {
  it('a file deleted before its upload and a file rewritten during its multipart upload are reported, nothing is stored under a wrong name, and a later pass stores what is whole again', async () => {
    const root = await mkdtemp(join(testbed.workDir, 'store-faults-'));
    const filestore = join(root, 'filestore', DB);
    const first = await addFile(filestore, randomBytes(2000));
    const doomed = [await addFile(filestore, randomBytes(2001)), await addFile(filestore, randomBytes(2002))];
    const largeContent = randomBytes(12 * MiB);
    const large = await addFile(filestore, largeContent);
    const prefix = `store-faults-${Date.now()}/`;
    const storePrefix = `${prefix}filestore/${DB}/`;

    // The fault: while R2 takes the first small file, Odoo's garbage collector deletes the other small files
    // (not yet uploaded: one upload at a time); while it takes the large file's first part, the file is rewritten in place.
    const client = createS3Client(testbed.s3);
    let deleted: string[] = [];
    let rewritten = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string };
        if (context.commandName === 'PutObjectCommand' && deleted.length === 0 && input.Key !== `${storePrefix}${large}`) {
          deleted = doomed.filter((f) => `${storePrefix}${f}` !== input.Key);
          for (const f of deleted) await rm(join(filestore, f));
        }
        if (context.commandName === 'UploadPartCommand' && !rewritten) {
          rewritten = true;
          const handle = await open(join(filestore, large), 'r+');
          await handle.write(Buffer.alloc(MiB, 7), 0, MiB, 6 * MiB);
          await handle.close();
        }
        return next(args);
      },
      { step: 'initialize', name: 'filestore-changes-under-the-sync' },
    );
    const store = new AttachmentStore({ client, bucket: testbed.s3.bucket, bucketPrefix: prefix, database: DB, indexFile: join(root, 'store.index'), concurrency: 1, multipartThresholdBytes: MiB, partSizeBytes: 5 * MiB });
    const pass = await store.syncOnce(filestore);
    expect(rewritten).toBe(true);
    expect(pass.vanished.sort()).toEqual(deleted.sort());
    expect(pass.changing).toEqual([large]);
    expect(pass.failed).toEqual([]);
    const stored = async () => (await keysUnder(testbed, storePrefix)).map((k) => k.slice(storePrefix.length)).sort();
    const kept = [first, ...doomed].filter((f) => !deleted.includes(f)).sort();
    // Nothing under the rewritten file's name, nothing for the deleted one(s), nothing marked stored that is not.
    expect(await stored()).toEqual(kept);
    expect(await store.holds(large)).toBe(false);
    for (const f of deleted) expect(await store.holds(f)).toBe(false);

    // The next pass: the rewritten file no longer matches its name, so it is still never stored under it.
    const again = await store.syncOnce(filestore);
    expect(again.mismatched).toEqual([large]);
    expect(await stored()).toEqual(kept);
    // Once the file is whole again (as Odoo would write it), a pass stores it, byte for byte.
    await writeFile(join(filestore, large), largeContent);
    const healed = await store.syncOnce(filestore);
    expect(healed.uploaded).toBe(1);
    expect(await stored()).toEqual([...kept, large].sort());
    const body = await (await client.send(new GetObjectCommand({ Bucket: testbed.s3.bucket, Key: `${storePrefix}${large}` }))).Body!.transformToByteArray();
    expect(createHash('sha1').update(body).digest('hex')).toBe(large.slice(3));
  }, 120_000);
});
