import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;
const STDOUT = 1;
const STDERR = 2;

/**
 * Splits Docker's multiplexed attach stream (no TTY): passes stdout bytes
 * downstream, with backpressure, and keeps the last `stderrLimit` bytes of
 * stderr for error messages. Unlike `modem.demuxStream` it ends when its input ends.
 */
export class DockerStreamDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private stderrChunks: Buffer[] = [];
  private stderrBytes = 0;

  constructor(private readonly stderrLimit = 64 * 1024) {
    super();
  }

  /** What the process wrote to stderr (its tail when it wrote more than the limit). */
  get stderr(): string {
    return Buffer.concat(this.stderrChunks).toString('utf8');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (this.pending.length - offset >= HEADER) {
      const type = this.pending[offset]!;
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset < HEADER + size) break;
      const payload = this.pending.subarray(offset + HEADER, offset + HEADER + size);
      if (type === STDOUT) this.push(payload);
      else if (type === STDERR) this.keepStderr(payload);
      offset += HEADER + size;
    }
    this.pending = this.pending.subarray(offset);
    done();
  }

  override _flush(done: TransformCallback): void {
    done(this.pending.length > 0 ? new Error(`docker stream ended inside a frame (${this.pending.length} bytes left)`) : null);
  }

  private keepStderr(payload: Buffer): void {
    this.stderrChunks.push(Buffer.from(payload));
    this.stderrBytes += payload.length;
    while (this.stderrBytes > this.stderrLimit && this.stderrChunks.length > 1) {
      this.stderrBytes -= this.stderrChunks.shift()!.length;
    }
  }
}
