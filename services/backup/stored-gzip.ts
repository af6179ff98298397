import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';

/** RFC 1952 member header: magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** The most a stored deflate block holds (RFC 1951 §3.2.4: LEN is 16 bits). */
const MAX_BLOCK = 0xffff;

/** A stored block's header: BFINAL/BTYPE=00 on a byte boundary, then LEN and NLEN, little-endian. */
function blockHeader(length: number, final: boolean): Buffer {
  const header = Buffer.alloc(5);
  header[0] = final ? 1 : 0;
  header.writeUInt16LE(length, 1);
  header.writeUInt16LE(~length & 0xffff, 3);
  return header;
}

/**
 * A gzip stream (one ordinary member any gunzip reads) whose deflate blocks are
 * all stored: the bytes pass through unchanged between 5-byte block headers,
 * with the CRC-32 and length in the trailer. For the outer archive, whose
 * members are compressed already: zlib at level 0 gives the same bytes but
 * copies everything twice and ran at about 180 MB/s here, against gigabytes a
 * second for zlib's crc32 alone. Needs Node ≥ 20.15 (zlib.crc32).
 */
export class StoredGzip extends Transform {
  private crc = 0;
  /** Input length modulo 2^32, as the trailer's ISIZE wants. */
  private size = 0;
  private started = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.start();
    for (let offset = 0; offset < chunk.length; offset += MAX_BLOCK) {
      const block = chunk.subarray(offset, offset + MAX_BLOCK);
      this.push(blockHeader(block.length, false));
      this.push(block);
    }
    this.crc = crc32(chunk, this.crc);
    this.size = (this.size + chunk.length) >>> 0;
    done();
  }

  override _flush(done: TransformCallback): void {
    this.start();
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size, 4);
    this.push(Buffer.concat([blockHeader(0, true), trailer]));
    done();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.push(HEADER);
  }
}
