import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * A member of the archive spooled to disk as numbered chunk files
 * (`<base>.000`, `<base>.001`…). A tar entry needs its size before its data,
 * so members of unknown size (pg_dump's output, a gzip tar) must be spooled;
 * chunks let the archive take a member in while freeing its disk space chunk
 * by chunk, so a backup needs about the archive's size on disk, not twice it.
 */
export class ChunkedSpool extends Writable {
  private readonly chunks: string[] = [];
  private handle: FileHandle | null = null;
  private inChunk = 0;
  /** The write under way: a destroy waits for it, so no file is opened or written after. */
  private writing: Promise<void> = Promise.resolve();
  bytes = 0;

  constructor(
    private readonly base: string,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    // Up to 1 MiB queues while a write is under way and then goes in one writev:
    // producers hand over 16–64 KiB pieces, and a system call per piece costs more than the copy.
    super({ highWaterMark: 1024 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this._writev([{ chunk }], done);
  }

  override _writev(chunks: { chunk: Buffer }[], done: (error?: Error | null) => void): void {
    this.writing = this.append(chunks.map((c) => c.chunk));
    this.writing.then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.closeChunk().then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.writing
      .catch(() => undefined)
      .then(() => this.closeChunk())
      .then(() => done(error), () => done(error));
  }

  /**
   * Yields the spooled bytes in order and deletes each chunk once read. Call
   * after the spool has finished; a spool is drained once.
   */
  async *drain(): AsyncGenerator<Buffer> {
    for (const path of this.chunks.splice(0)) {
      // Read in 1 MiB pieces: the whole chunk in memory would cost RSS for nothing.
      for await (const piece of createReadStream(path, { highWaterMark: 1024 * 1024 })) yield piece as Buffer;
      await rm(path, { force: true });
    }
  }

  /** Writes `pieces` in order, in as few system calls as the chunk boundaries allow. */
  private async append(pieces: Buffer[]): Promise<void> {
    const queue = [...pieces];
    while (queue.length > 0) {
      // Destroyed (a cancelled backup, a failed stage): the rest is not written.
      if (this.destroyed) throw new Error('spool destroyed');
      if (!this.handle) {
        const path = `${this.base}.${String(this.chunks.length).padStart(3, '0')}`;
        this.handle = await open(path, 'wx', 0o600);
        this.chunks.push(path);
        this.inChunk = 0;
        if (this.destroyed) throw new Error('spool destroyed');
      }
      // Take whole pieces up to the chunk's end, splitting the one that crosses it.
      const batch: Buffer[] = [];
      let room = this.chunkBytes - this.inChunk;
      while (queue.length > 0 && room > 0) {
        const piece = queue[0]!;
        if (piece.length <= room) {
          batch.push(queue.shift()!);
          room -= piece.length;
        } else {
          batch.push(piece.subarray(0, room));
          queue[0] = piece.subarray(room);
          room = 0;
        }
      }
      const size = batch.reduce((sum, b) => sum + b.length, 0);
      await writeAll(this.handle, batch, size);
      this.inChunk += size;
      this.bytes += size;
      if (this.inChunk === this.chunkBytes) await this.closeChunk();
    }
  }

  private async closeChunk(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}

/** writev until every byte is written (a short write is legal). */
async function writeAll(handle: FileHandle, buffers: Buffer[], size: number): Promise<void> {
  let written = (await handle.writev(buffers)).bytesWritten;
  while (written < size) {
    const rest = Buffer.concat(buffers).subarray(written);
    written += (await handle.write(rest)).bytesWritten;
  }
}
