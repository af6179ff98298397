import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface WrittenFile {
  path: string;
  sizeBytes: number;
  sha256: string;
}

/** A pass-through that counts and hashes what flows through it, reporting bytes as they pass. */
export class HashingCounter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Writes a stream to a new file (`wx`: never over an existing one), hashing it
 * on the way so the file is never read twice. Rejects if any stage fails; the
 * caller removes the partial file.
 */
export async function writeHashed(source: Readable, path: string, onBytes?: (bytes: number) => void): Promise<WrittenFile> {
  const counter = new HashingCounter(onBytes);
  const sink: Writable = createWriteStream(path, { flags: 'wx' });
  await pipeline(source, counter, sink);
  return { path, sizeBytes: counter.bytes, sha256: counter.digest() };
}
