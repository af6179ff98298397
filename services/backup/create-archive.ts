import * as tar from 'tar';
import type { WrittenFile } from './hashing-writer.js';
import { writeTarStream } from './write-tar-stream.js';

/**
 * Packs the staged folder `folder` (inside `stagingDir`) into the gzip tar
 * `path`, members in the given order, hashing the archive as it is written.
 * The members are compressed already, so the outer gzip uses level 1: more
 * would cost CPU time for almost no bytes.
 */
export async function createArchive(stagingDir: string, folder: string, members: readonly string[], path: string, onBytes?: (bytes: number) => void): Promise<WrittenFile> {
  const pack = tar.create({ gzip: { level: 1 }, cwd: stagingDir, portable: true, noDirRecurse: true }, [folder, ...members.map((m) => `${folder}/${m}`)]);
  return writeTarStream(pack, path, onBytes);
}
