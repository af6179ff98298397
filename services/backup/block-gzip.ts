import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';

/** RFC 1952 member header: magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** The most a stored deflate block holds (RFC 1951 §3.2.4: LEN is 16 bits). */
const MAX_STORED = 0xffff;
/** Small pieces (tar headers, small files) are deflated together, this much at a time. */
const BATCH_BYTES = 1024 * 1024;
/** Pieces smaller than this are deflated without judging: they cost little either way. */
const MIN_JUDGED_BYTES = 64 * 1024;
const SAMPLE_BYTES = 4096;
/** A sample that level 1 shrinks by less than this is stored, not deflated. */
const MIN_SAVING = 0.05;

const deflateRawAsync = promisify(deflateRaw);

/**
 * True when `piece` is worth deflating, judged by deflating a 4 KiB sample
 * from its middle (file headers such as a PDF's are less random than the body).
 */
export function isCompressible(piece: Buffer): boolean {
  const start = Math.max(0, Math.floor((piece.length - SAMPLE_BYTES) / 2));
  const sample = piece.subarray(start, start + SAMPLE_BYTES);
  return deflateRawSync(sample, { level: 1 }).length < sample.length * (1 - MIN_SAVING);
}

/** A stored block's header: BFINAL/BTYPE=00 on a byte boundary, then LEN and NLEN, little-endian. */
function storedBlockHeader(length: number, final: boolean): Buffer {
  const header = Buffer.alloc(5);
  header[0] = final ? 1 : 0;
  header.writeUInt16LE(length, 1);
  header.writeUInt16LE(~length & 0xffff, 3);
  return header;
}

/**
 * A gzip stream (one ordinary member: gzip, tar, Python and zlib read it)
 * built from deflate blocks we frame ourselves, with the CRC-32 and length
 * in the trailer computed by zlib's crc32:
 * - level 0 stores every byte (the outer archive, whose members are
 *   compressed already): zlib at level 0 writes the same blocks but copies
 *   everything twice and ran at about 180 MB/s here, against gigabytes a
 *   second for the crc alone;
 * - level 1–9 deflates on Node's thread pool, in batches of about 1 MiB each
 *   ended by a full flush (so each batch stands alone and they concatenate),
 *   and stores pieces of 64 KiB or more that would not shrink: attachments are
 *   mostly PDFs, images and office files, already compressed, and zlib deflates
 *   such bytes at about 35 MB/s at any level for nothing.
 * Each batch is a one-shot zlib call: nothing is left running on a zlib handle
 * when the stream is destroyed part-way. Needs Node ≥ 20.15 (zlib.crc32).
 */
export class BlockGzip extends Transform {
  private crc = 0;
  /** Input length modulo 2^32, as the trailer's ISIZE wants. */
  private size = 0;
  private started = false;
  private batch: Buffer[] = [];
  private batchBytes = 0;

  constructor(private readonly level: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.crc = crc32(chunk, this.crc);
    this.size = (this.size + chunk.length) >>> 0;
    this.encode(chunk).then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    this.deflateBatch().then(() => {
      this.start();
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(this.crc >>> 0, 0);
      trailer.writeUInt32LE(this.size, 4);
      this.push(Buffer.concat([storedBlockHeader(0, true), trailer]));
      done();
    }, done);
  }

  private async encode(chunk: Buffer): Promise<void> {
    if (this.level === 0 || (chunk.length >= MIN_JUDGED_BYTES && !isCompressible(chunk))) {
      await this.deflateBatch();
      this.pushStored(chunk);
      return;
    }
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH_BYTES) await this.deflateBatch();
  }

  /** Deflates what the batch holds as blocks that end on a byte boundary, none final. */
  private async deflateBatch(): Promise<void> {
    if (this.batchBytes === 0) return;
    const input = this.batch.length === 1 ? this.batch[0]! : Buffer.concat(this.batch);
    this.batch = [];
    this.batchBytes = 0;
    const deflated = await deflateRawAsync(input, { level: this.level, finishFlush: constants.Z_FULL_FLUSH });
    this.start();
    this.push(deflated);
  }

  private pushStored(chunk: Buffer): void {
    this.start();
    for (let offset = 0; offset < chunk.length; offset += MAX_STORED) {
      const block = chunk.subarray(offset, offset + MAX_STORED);
      this.push(storedBlockHeader(block.length, false));
      this.push(block);
    }
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.push(HEADER);
  }
}
