import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chown, copyFile, link, lstat, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { OperationError } from '../operation-error.js';
import type { AttachmentStore } from './attachment-store.js';
import { boundedParallel } from './bounded-parallel.js';
import type { FilestoreIndexEntry } from './filestore-index.js';

export interface StoreRestoreResult {
  files: number;
  /** Taken from the live filestore (hard links, or copies across filesystems). */
  linked: number;
  fetched: number;
  fetchedBytes: number;
}

async function liveMatches(path: string, entry: FilestoreIndexEntry): Promise<boolean> {
  try {
    if ((await lstat(path)).size !== entry.size) return false;
    const hash = createHash('sha1');
    await pipeline(createReadStream(path), hash);
    return hash.digest('hex') === entry.sha1;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Builds, in `targetDir` (which must not exist yet; a restore builds beside
 * the live data), the filestore a `filestore.index` describes: exactly its
 * files, each taken from `liveDir` when it is there with the right size and
 * SHA-1 (a hard link: same inode, Odoo never rewrites a file in place; a copy
 * across filesystems) and fetched from the store otherwise, then owned by
 * `owner` (Odoo's uid) when given. Before anything is created, every file to
 * fetch is checked to exist in the bucket: when one is missing it rejects
 * (OperationError 'filestore', naming them) with nothing written.
 * The caller removes `targetDir` when a later step fails.
 */
export async function restoreFromStore(input: {
  entries: FilestoreIndexEntry[];
  liveDir: string;
  targetDir: string;
  store: AttachmentStore;
  owner?: { uid: number; gid: number };
  concurrency?: number;
}): Promise<StoreRestoreResult> {
  const { entries, liveDir, targetDir, store } = input;
  const concurrency = input.concurrency ?? 8;
  const fromLive: FilestoreIndexEntry[] = [];
  const toFetch: FilestoreIndexEntry[] = [];
  await boundedParallel(entries, concurrency, async (e) => {
    ((await liveMatches(join(liveDir, e.storeFname), e)) ? fromLive : toFetch).push(e);
  });
  const missing: string[] = [];
  await boundedParallel(toFetch, concurrency, async (e) => {
    if (!(await store.exists(e.storeFname))) missing.push(e.storeFname);
  });
  if (missing.length) {
    missing.sort();
    throw new OperationError(
      'filestore',
      `${missing.length} file(s) the backup needs are neither in the live filestore nor in the attachment store (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); nothing was changed`,
    );
  }
  try {
    await lstat(targetDir);
    throw new OperationError('filestore', `${targetDir} already exists; it is not overwritten`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(targetDir, { recursive: true });
  const result: StoreRestoreResult = { files: entries.length, linked: 0, fetched: 0, fetchedBytes: 0 };
  await boundedParallel(fromLive, concurrency, async (e) => {
    const to = join(targetDir, e.storeFname);
    await mkdir(dirname(to), { recursive: true });
    try {
      await link(join(liveDir, e.storeFname), to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(join(liveDir, e.storeFname), to);
    }
    result.linked++;
  });
  await boundedParallel(toFetch, concurrency, async (e) => {
    result.fetchedBytes += await store.fetchObject(e.storeFname, join(targetDir, e.storeFname));
    result.fetched++;
  });
  if (input.owner) await chownTree(targetDir, input.owner);
  return result;
}

async function chownTree(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await chown(dir, owner.uid, owner.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(path, owner);
    else await chown(path, owner.uid, owner.gid);
  }
}
