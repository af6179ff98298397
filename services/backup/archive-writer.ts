import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Header } from 'tar';
import type { ChunkedSpool } from './chunked-spool.js';
import { HashingCounter } from './hashing-writer.js';
import { BlockGzip } from './block-gzip.js';

const BLOCK = 512;

export interface WrittenArchive {
  sizeBytes: number;
  sha256: string;
}

/**
 * The outer archive (`<name>.tar.gz`, top folder `folder`), written as its
 * members become ready: each is appended whole, in the order appended, and a
 * spooled member's chunks are freed as they are copied. The members are
 * compressed already, so the gzip layer stores them (BlockGzip at level 0): compressing
 * them again would cost CPU on the critical path for no bytes. Tar headers come
 * from node-tar; the archive is hashed as it is written.
 */
export class ArchiveWriter {
  private readonly gzip = new BlockGzip(0);
  private readonly counter: HashingCounter;
  private readonly written: Promise<void>;
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  constructor(
    path: string,
    private readonly folder: string,
    onBytes?: (bytes: number) => void,
  ) {
    this.counter = new HashingCounter(onBytes);
    this.written = pipeline(this.gzip, this.counter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    this.written.catch((error: Error) => (this.failure = error));
    this.enqueue(() => this.entry(`${folder}/`, 'Directory', 0, 0o755));
  }

  /** Appends a spooled member, freeing its chunks as they are copied. */
  appendSpool(member: string, spool: ChunkedSpool): Promise<void> {
    return this.enqueue(async () => {
      await this.entry(`${this.folder}/${member}`, 'File', spool.bytes, 0o644);
      for await (const chunk of spool.drain()) await this.write(chunk);
      await this.pad(spool.bytes);
    });
  }

  /** Appends a small member held in memory (backup.info, manifest.json). */
  appendBuffer(member: string, data: Buffer): Promise<void> {
    return this.enqueue(async () => {
      await this.entry(`${this.folder}/${member}`, 'File', data.length, 0o644);
      await this.write(data);
      await this.pad(data.length);
    });
  }

  /** Ends the archive after every append; resolves with its size and SHA-256 once it is on disk. */
  async finish(): Promise<WrittenArchive> {
    await this.enqueue(async () => {
      await this.write(Buffer.alloc(2 * BLOCK));
      this.gzip.end();
    });
    await this.written;
    return { sizeBytes: this.counter.bytes, sha256: this.counter.digest() };
  }

  /** Stops writing after a failure elsewhere; the caller removes the partial file. */
  async abort(): Promise<void> {
    this.gzip.destroy();
    await this.written.catch(() => undefined);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async entry(path: string, type: 'File' | 'Directory', size: number, mode: number): Promise<void> {
    const header = new Header({ path, type, size, mode, mtime: new Date(), uid: 0, gid: 0 });
    const block = Buffer.alloc(BLOCK);
    header.encode(block, 0);
    await this.write(block);
  }

  private async pad(size: number): Promise<void> {
    const rest = size % BLOCK;
    if (rest) await this.write(Buffer.alloc(BLOCK - rest));
  }

  /** Writes with backpressure; fails at once when the file side has failed (a full disk). */
  private async write(data: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.gzip.write(data)) return;
    await Promise.race([once(this.gzip, 'drain'), this.written.then(() => undefined)]);
    if (this.failure) throw this.failure;
  }
}
