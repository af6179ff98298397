import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DockerStreamDemuxer } from '../../services/docker/docker-stream-demuxer.js';

function frame(stream: 1 | 2, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function demux(chunks: Buffer[]) {
  const demuxer = new DockerStreamDemuxer(1024);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    demuxer,
    new Writable({
      write(chunk, _e, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return { stdout: Buffer.concat(out), stderr: demuxer.stderr };
}

describe('DockerStreamDemuxer', () => {
  it('passes stdout bytes through unchanged and keeps stderr apart, whatever the chunking', async () => {
    const binary = randomBytes(100_000); // a dump is binary: \n and \r must survive
    const wire = Buffer.concat([frame(1, binary.subarray(0, 60_000)), frame(2, Buffer.from('pg_dump: warning\n')), frame(1, binary.subarray(60_000))]);
    for (const size of [1, 7, 8, 4096, wire.length]) {
      const chunks = [];
      for (let i = 0; i < wire.length; i += size) chunks.push(wire.subarray(i, i + size));
      const { stdout, stderr } = await demux(chunks);
      expect(stdout.equals(binary)).toBe(true);
      expect(stderr).toBe('pg_dump: warning\n');
    }
  });

  it('keeps only the tail of a long stderr', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => frame(2, Buffer.from(`line ${i}\n`)));
    const { stderr } = await demux(lines);
    expect(stderr.length).toBeLessThanOrEqual(1024 + 10);
    expect(stderr.endsWith('line 199\n')).toBe(true);
  });

  it('fails when the stream stops inside a frame (a truncated transfer)', async () => {
    const truncated = frame(1, Buffer.from('abcdef')).subarray(0, 10);
    await expect(demux([truncated])).rejects.toThrow(/ended inside a frame/);
  });
});
