import { createHash } from 'node:crypto';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What was written: its size and SHA-256, for the manifest. */
export interface WrittenFile {
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
 * Writes a stream to `sink` (a spool), hashing it on the way so it is never
 * read twice. Rejects if any stage fails; the caller removes what was written.
 */
export async function writeHashed(source: Readable, sink: Writable, onBytes?: (bytes: number) => void): Promise<WrittenFile> {
  const counter = new HashingCounter(onBytes);
  await pipeline(source, counter, sink);
  return { sizeBytes: counter.bytes, sha256: counter.digest() };
}
