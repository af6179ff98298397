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
  bytes = 0;

  constructor(
    private readonly base: string,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.append(chunk).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.closeChunk().then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.closeChunk().then(() => done(error), () => done(error));
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

  private async append(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      if (!this.handle) {
        const path = `${this.base}.${String(this.chunks.length).padStart(3, '0')}`;
        this.handle = await open(path, 'wx');
        this.chunks.push(path);
        this.inChunk = 0;
      }
      const take = Math.min(data.length - offset, this.chunkBytes - this.inChunk);
      await this.handle.write(data, offset, take);
      offset += take;
      this.inChunk += take;
      this.bytes += take;
      if (this.inChunk === this.chunkBytes) await this.closeChunk();
    }
  }

  private async closeChunk(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}
