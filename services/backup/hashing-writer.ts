import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

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
