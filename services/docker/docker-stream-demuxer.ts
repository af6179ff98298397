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
  /** The header being read, when a chunk ended inside one. */
  private readonly header = Buffer.alloc(HEADER);
  private headerBytes = 0;
  /** What is left of the current frame's payload, and whose it is. */
  private payloadLeft = 0;
  private payloadType = 0;
  private stderrChunks: Buffer[] = [];
  private stderrBytes = 0;

  constructor(private readonly stderrLimit = 64 * 1024) {
    super();
  }

  /** What the process wrote to stderr (its tail when it wrote more than the limit). */
  get stderr(): string {
    return Buffer.concat(this.stderrChunks).toString('utf8');
  }

  // Payload goes downstream as slices of the socket's chunks, never copied:
  // frames are 32 KiB and straddle chunks, and copying each chunk to join them
  // cost a dump a memcpy of every byte plus the garbage.
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.payloadLeft === 0) {
        const take = Math.min(HEADER - this.headerBytes, chunk.length - offset);
        chunk.copy(this.header, this.headerBytes, offset, offset + take);
        this.headerBytes += take;
        offset += take;
        if (this.headerBytes < HEADER) break;
        this.headerBytes = 0;
        this.payloadType = this.header[0]!;
        this.payloadLeft = this.header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(this.payloadLeft, chunk.length - offset);
      const payload = chunk.subarray(offset, offset + take);
      if (this.payloadType === STDOUT) this.push(payload);
      else if (this.payloadType === STDERR) this.keepStderr(payload);
      this.payloadLeft -= take;
      offset += take;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    const missing = (this.headerBytes > 0 ? HEADER - this.headerBytes : 0) + this.payloadLeft;
    done(missing > 0 ? new Error(`docker stream ended inside a frame (${missing} bytes missing)`) : null);
  }

  private keepStderr(payload: Buffer): void {
    this.stderrChunks.push(Buffer.from(payload));
    this.stderrBytes += payload.length;
    while (this.stderrBytes > this.stderrLimit && this.stderrChunks.length > 1) {
      this.stderrBytes -= this.stderrChunks.shift()!.length;
    }
  }
}
