import { Duplex, Writable } from 'node:stream';
import { constants, createGzip, deflateRawSync, type Gzip, type ZlibParams } from 'node:zlib';

/** Pieces smaller than this keep the current level: tar headers and small files cost little either way, and every switch flushes. */
const MIN_JUDGED_BYTES = 64 * 1024;
const SAMPLE_BYTES = 4096;
/** A sample that level 1 shrinks by less than this is stored, not deflated. */
const MIN_SAVING = 0.05;

/**
 * True when `piece` is worth deflating, judged by deflating a 4 KiB sample
 * from its middle (file headers such as a PDF's are less random than the body).
 */
export function isCompressible(piece: Buffer): boolean {
  const start = Math.max(0, Math.floor((piece.length - SAMPLE_BYTES) / 2));
  const sample = piece.subarray(start, start + SAMPLE_BYTES);
  return deflateRawSync(sample, { level: 1 }).length < sample.length * (1 - MIN_SAVING);
}

/**
 * A gzip stream (one ordinary gzip member, readable by any gunzip) that deflates
 * at `level` but stores pieces of 64 KiB or more that would not shrink:
 * attachments are mostly PDFs, images and office files, already compressed, and
 * deflating them gains nothing while costing most of a backup's CPU (about
 * 35 MB/s against 180 MB/s stored, here). The level is switched with zlib's
 * deflateParams (`gzip.params`), which flushes, so it changes only when a
 * judged piece asks for the other level. Compresses on the thread pool.
 */
export function createAdaptiveGzip(level: number, chunkSize = 256 * 1024): Duplex {
  // Gzip has params() like Deflate (both are zlib.Zlib); @types/node declares it on Deflate only.
  const gzip = createGzip({ level, chunkSize }) as Gzip & ZlibParams;
  let current = level;
  const input = new Writable({
    highWaterMark: 1024 * 1024,
    write(piece: Buffer, _encoding, done) {
      const wanted = piece.length < MIN_JUDGED_BYTES ? current : isCompressible(piece) ? level : 0;
      if (wanted === current) return writeTo(gzip, piece, done);
      current = wanted;
      gzip.params(wanted, constants.Z_DEFAULT_STRATEGY, (error?: Error | null) => (error ? done(error) : writeTo(gzip, piece, done)));
    },
    final(done) {
      gzip.end();
      done();
    },
    // Also called after a normal finish (autoDestroy), while gzip still flushes: only a failure stops it.
    destroy(error, done) {
      if (error) gzip.destroy(error);
      done(error);
    },
  });
  return Duplex.from({ writable: input, readable: gzip });
}

/** Writes with backpressure; a gzip that fails instead of draining fails the write. */
function writeTo(gzip: Gzip, piece: Buffer, done: (error?: Error | null) => void): void {
  if (gzip.write(piece)) return done();
  const settle = (error?: Error) => {
    gzip.off('drain', settle);
    gzip.off('error', settle);
    gzip.off('close', closed);
    done(error ?? null);
  };
  const closed = () => settle(new Error('gzip stream closed'));
  gzip.once('drain', settle);
  gzip.once('error', settle);
  gzip.once('close', closed);
}
