import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pack } from 'tar';
import { BlockGzip } from './block-gzip.js';
import { HashingCounter, type WrittenFile } from './hashing-writer.js';

/**
 * Writes a node-tar Pack stream to `sink` gzipped at `gzipLevel` (already
 * compressed files stored; see BlockGzip), hashed on the way. The gzip is
 * BlockGzip, not node-tar's own, which compresses synchronously on the main
 * thread, the one that must keep draining pg_dump's stream meanwhile.
 * When writing fails, the pack is drained into nothing: node-tar keeps each
 * source file open until it has read it, so an abandoned pack would leak file
 * descriptors (and the disk space of deleted temp files) in the long-running bot.
 */
export async function writeTarStream(pack: Pack, sink: Writable, gzipLevel: number, onBytes?: (bytes: number) => void): Promise<WrittenFile> {
  const counter = new HashingCounter(onBytes);
  try {
    // node-tar streams are Minipass streams; Readable.from adapts them with backpressure.
    await pipeline(Readable.from(pack), new BlockGzip(gzipLevel), counter, sink);
    return { sizeBytes: counter.bytes, sha256: counter.digest() };
  } catch (error) {
    pack.on('error', () => {});
    pack.resume();
    throw error;
  }
}
