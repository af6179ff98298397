import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BlockGzip, isCompressible } from '../../services/backup/block-gzip.js';
import { ChunkedSpool } from '../../services/backup/chunked-spool.js';

async function collect(pieces: Buffer[], through: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    through,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

const text = (bytes: number) => Buffer.alloc(bytes, 'invoice partner amount tax total due date product quantity price ');

describe('BlockGzip at level 0 (the outer archive)', () => {
  it('writes a gzip stream that gunzip reads back byte for byte, at block boundaries and beyond', async () => {
    const cases: Buffer[][] = [[], [Buffer.alloc(0)], [Buffer.from('x')], [randomBytes(65_535)], [randomBytes(65_536)], [randomBytes(200_000), Buffer.from('abc'), randomBytes(131_070)]];
    for (const pieces of cases) {
      const gzipped = await collect(pieces, new BlockGzip(0));
      expect(gunzipSync(gzipped).equals(Buffer.concat(pieces))).toBe(true);
    }
  });

  it('adds only block headers and the gzip frame (the members are compressed already)', async () => {
    const input = randomBytes(1_000_000);
    const gzipped = await collect([input], new BlockGzip(0));
    // 10-byte header, 5 bytes per 64 KiB block, a final empty block and an 8-byte trailer.
    expect(gzipped.length).toBe(input.length + 10 + 5 * Math.ceil(input.length / 65_535) + 5 + 8);
  });
});

describe('BlockGzip at level 6 (the filestore)', () => {
  it('judges already-compressed bytes incompressible and text compressible', () => {
    expect(isCompressible(randomBytes(256 * 1024))).toBe(false);
    expect(isCompressible(text(256 * 1024))).toBe(true);
  });

  it('stores incompressible pieces and deflates the rest, in one stream gunzip reads back', async () => {
    const random = [randomBytes(300_000), randomBytes(500_000)];
    const pieces = [Buffer.from('tar header'), text(400_000), random[0]!, Buffer.alloc(512), text(100_000), random[1]!, Buffer.from('end')];
    const gzipped = await collect(pieces, new BlockGzip(6));
    expect(gunzipSync(gzipped).equals(Buffer.concat(pieces))).toBe(true);
    // The random bytes cannot shrink and the text almost vanishes: the output is about the random bytes.
    const randomBytesIn = random[0]!.length + random[1]!.length;
    expect(gzipped.length).toBeGreaterThan(randomBytesIn);
    expect(gzipped.length).toBeLessThan(randomBytesIn * 1.01);
  });
});

describe('BlockGzip batches', () => {
  it('deflates many small pieces in batches that concatenate into one stream', async () => {
    // Tar-like: 512-byte headers between text pieces, several MiB in all, so several batches.
    const pieces: Buffer[] = [];
    for (let i = 0; i < 400; i++) pieces.push(Buffer.alloc(512, `header ${i} `), text(10_000 + i * 17));
    for (const level of [1, 6, 9]) {
      const gzipped = await collect(pieces, new BlockGzip(level));
      expect(gunzipSync(gzipped).equals(Buffer.concat(pieces))).toBe(true);
      expect(gzipped.length).toBeLessThan(Buffer.concat(pieces).length / 20);
    }
    expect(gunzipSync(await collect([], new BlockGzip(6))).length).toBe(0);
  });

  it('can be destroyed while a batch is on the thread pool (a cancelled backup) without failing later', async () => {
    const gzip = new BlockGzip(6);
    const errors: Error[] = [];
    gzip.on('error', (error) => errors.push(error));
    gzip.write(text(2 * 1024 * 1024));
    gzip.destroy(new Error('cancelled'));
    // The one-shot deflate finishes after the destroy: nothing may throw then.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gzip.destroyed).toBe(true);
    expect(errors.map((e) => e.message)).toEqual(['cancelled']);
  });
});

describe('ChunkedSpool', () => {
  it('keeps every byte in order across chunk files of the set size, however the pieces fall', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spool-'));
    try {
      const pieces = Array.from({ length: 200 }, (_, i) => randomBytes((i * 7919) % 3000));
      const spool = new ChunkedSpool(join(dir, 'member'), 4096);
      await pipeline(Readable.from(pieces), spool);
      const expected = Buffer.concat(pieces);
      expect(spool.bytes).toBe(expected.length);
      const files = (await readdir(dir)).sort();
      expect(files.length).toBe(Math.ceil(expected.length / 4096));
      for (const file of files.slice(0, -1)) expect((await stat(join(dir, file))).size).toBe(4096);

      const drained: Buffer[] = [];
      for await (const chunk of spool.drain()) drained.push(chunk);
      expect(Buffer.concat(drained).equals(expected)).toBe(true);
      // Draining frees the disk space chunk by chunk.
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops when destroyed (a cancelled backup): no chunk file is created or written after it closes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spool-'));
    try {
      const spool = new ChunkedSpool(join(dir, 'member'), 64 * 1024);
      spool.on('error', () => {});
      // One write spanning 64 chunk files, destroyed while it is under way.
      spool.write(randomBytes(4 * 1024 * 1024));
      spool.destroy();
      await once(spool, 'close');
      const atClose = await readdir(dir);
      const sizes = await Promise.all(atClose.map(async (f) => (await stat(join(dir, f))).size));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(atClose.length).toBeLessThan(64);
      expect(await readdir(dir)).toEqual(atClose);
      expect(await Promise.all(atClose.map(async (f) => (await stat(join(dir, f))).size))).toEqual(sizes);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
