import { Readable, type Writable } from 'node:stream';
import type { Pack } from 'tar';
import { writeHashed, type WrittenFile } from './hashing-writer.js';

/**
 * Writes a node-tar Pack stream to `sink`, hashed on the way.
 * When writing fails, the pack is drained into nothing: node-tar keeps each
 * source file open until it has read it, so an abandoned pack would leak file
 * descriptors (and the disk space of deleted temp files) in the long-running bot.
 */
export async function writeTarStream(pack: Pack, sink: Writable, onBytes?: (bytes: number) => void): Promise<WrittenFile> {
  try {
    // node-tar streams are Minipass streams; Readable.from adapts them with backpressure.
    return await writeHashed(Readable.from(pack), sink, onBytes);
  } catch (error) {
    pack.on('error', () => {});
    pack.resume();
    throw error;
  }
}
