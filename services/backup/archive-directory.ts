import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import * as tar from 'tar';
import { OperationError } from '../operation-error.js';
import type { WrittenFile } from './hashing-writer.js';
import { writeTarStream } from './write-tar-stream.js';

export interface DirectoryArchive {
  /** Stage name for errors and progress: `filestore` or `addons`. */
  stage: string;
  /** Directory the paths are relative to. */
  cwd: string;
  /** Paths inside `cwd` to include (directories recursively). */
  paths: string[];
  /** What to tell the user when the first path is missing (which variable to check). */
  missingHint: string;
  /** Entries directly under `cwd` (when `paths` is `.`) to leave out. */
  skipTopLevel?: RegExp;
  /** Path put before every entry's (a set-aside filestore archived as `filestore/<db>`). */
  prefix?: string;
}

/**
 * Writes a gzip tar of `paths` (relative to `cwd`) to `sink`,
 * hashed on the way, with portable headers (no user names or mtimes of the
 * bot's host beyond the files' own). Throws OperationError(stage) when the
 * directory is missing or unreadable.
 */
export async function archiveDirectory(spec: DirectoryArchive, sink: Writable, onBytes?: (bytes: number) => void): Promise<WrittenFile> {
  for (const entry of spec.paths) {
    const full = join(spec.cwd, entry);
    const info = await stat(full).catch(() => null);
    if (!info?.isDirectory()) throw new OperationError(spec.stage, `${full} is not a directory: ${spec.missingHint}`);
  }
  try {
    // Level 6 like `tar czf`; the filestore is often already-compressed attachments either way.
    const skip = spec.skipTopLevel;
    const filter = skip ? (path: string) => !skip.test(path.replace(/^\.\//, '').split('/')[0] ?? '') : undefined;
    // Files are read 1 MiB at a time (node-tar reads up to 16 MiB at once): a
    // large attachment must not raise the bot's memory.
    return await writeTarStream(tar.create({ cwd: spec.cwd, portable: true, filter, prefix: spec.prefix, maxReadSize: 1024 * 1024 }, spec.paths), sink, 6, onBytes);
  } catch (error) {
    throw new OperationError(spec.stage, `could not archive ${spec.cwd}: ${(error as Error).message}`, { cause: error });
  }
}
