/**
 * bench:store — the attachment store against a real s3rver on 127.0.0.1:
 * first full sync of a filestore of many small and some large files, a pass
 * over the unchanged filestore (answered from the local index: no request),
 * a pass after 1 % new files, and a restore from the store with the live
 * filestore present (hard links) beside one with it absent (every file fetched).
 * Options: --files N (default 20000), --large N (default 4, 24 MiB each).
 * Prints figures; asserts nothing about time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AttachmentStore } from '../services/attachment-store/attachment-store.js';
import { buildFilestoreIndex } from '../services/attachment-store/filestore-index.js';
import { restoreFromStore } from '../services/attachment-store/restore-from-store.js';
import { createS3Client } from '../services/storage/s3-client.js';
import { startS3Server, stopS3Server } from '../test/testbed/s3-server.js';

const { values } = parseArgs({ options: { files: { type: 'string', default: '20000' }, large: { type: 'string', default: '4' } } });
const FILES = Number(values.files);
const LARGE = Number(values.large);

async function addFile(dir: string, content: Buffer): Promise<void> {
  const sha = createHash('sha1').update(content).digest('hex');
  await mkdir(join(dir, sha.slice(0, 2)), { recursive: true });
  await writeFile(join(dir, sha.slice(0, 2), sha), content);
}

async function timed<T>(label: string, work: () => Promise<T>, describe: (r: T) => string): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await work();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(8)} ms   ${describe(result)}`);
  return result;
}

const root = await mkdtemp(join(tmpdir(), 'bench-store-'));
const server = await startS3Server(join(root, 's3'));
try {
  const live = join(root, 'filestore', 'bench');
  for (let i = 0; i < FILES; i++) await addFile(live, randomBytes(2048 + (i % 64) * 256));
  for (let i = 0; i < LARGE; i++) await addFile(live, randomBytes(24 * 1024 * 1024));
  const store = new AttachmentStore({ client: createS3Client(server), bucket: server.bucket, bucketPrefix: 'bench/', database: 'bench', indexFile: join(root, 'store.index') });
  console.log(`dataset: ${FILES} small files (2-18 KiB), ${LARGE} large (24 MiB); rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  await timed('first full sync', () => store.syncOnce(live), (r) => `${r.uploaded} uploaded, ${(r.uploadedBytes / 2 ** 20).toFixed(1)} MiB`);
  await timed('pass over the unchanged filestore (no request)', () => store.syncOnce(live), (r) => `${r.alreadyStored} already stored, ${r.uploaded} uploaded`);
  for (let i = 0; i < Math.ceil(FILES / 100); i++) await addFile(live, randomBytes(4096));
  await timed('pass after 1 % new files', () => store.syncOnce(live), (r) => `${r.uploaded} uploaded, ${(r.uploadedBytes / 2 ** 20).toFixed(2)} MiB`);
  const { entries } = await buildFilestoreIndex(store, live);
  await timed('restore from the store, live filestore present', () => restoreFromStore({ entries, liveDir: live, targetDir: join(root, 'r1'), store }), (r) => `${r.linked} linked, ${r.fetched} fetched`);
  await timed('restore from the store, live filestore absent', () => restoreFromStore({ entries, liveDir: join(root, 'none'), targetDir: join(root, 'r2'), store }), (r) => `${r.linked} linked, ${r.fetched} fetched`);
  console.log(`peak rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
} finally {
  await stopS3Server(server);
  await rm(root, { recursive: true, force: true });
}
