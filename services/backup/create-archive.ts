import { Pack } from 'tar';
import type { WrittenFile } from './hashing-writer.js';
import { writeTarStream } from './write-tar-stream.js';

/**
 * The outer archive, written while its members are still being made: members
 * are appended as soon as they are complete (the filestore and addons while
 * pg_dump still runs), hashed on the way. The members are compressed already,
 * so the outer gzip stores them (level 0): compressing them again would cost
 * CPU time on the critical path for no bytes.
 */
export class ArchiveWriter {
  private readonly pack: Pack;
  private readonly written: Promise<WrittenFile>;

  /** Starts the gzip tar `path` with the top folder `folder` of `stagingDir`. */
  constructor(
    stagingDir: string,
    private readonly folder: string,
    path: string,
    onBytes?: (bytes: number) => void,
  ) {
    this.pack = new Pack({ gzip: { level: 0 }, cwd: stagingDir, portable: true, noDirRecurse: true });
    this.written = writeTarStream(this.pack, path, onBytes);
    // Its outcome is read by finish(); until then a failure must not be unhandled.
    this.written.catch(() => undefined);
    this.pack.add(folder);
  }

  /** Appends a complete member file of the staged folder. */
  append(member: string): void {
    this.pack.add(`${this.folder}/${member}`);
  }

  /** Ends the archive once every appended member has been written; resolves with its size and SHA-256. */
  finish(): Promise<WrittenFile> {
    this.pack.end();
    return this.written;
  }
}
