import { createReadStream } from 'node:fs';
import * as tar from 'tar';
import { FILESTORE_INDEX } from '../backup/archive-manifest.js';
import { parseFilestoreIndex, type FilestoreIndexEntry } from './filestore-index.js';

/**
 * The filestore.index of a backup archive, or null for an archive that
 * carries its filestore (filestore.tar.gz) or none. Reads only as far as
 * needed: the filestore member is appended before database.dump, so the
 * first of filestore.index, filestore.tar.gz or database.dump decides. Rejects
 * when the archive cannot be read or its index cannot be parsed. No writes.
 */
export function readArchiveIndex(archive: string): Promise<FilestoreIndexEntry[] | null> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const source = createReadStream(archive);
    const finish = (error: Error | null, value?: FilestoreIndexEntry[] | null) => {
      if (settled) return;
      settled = true;
      source.destroy();
      if (error) reject(error);
      else resolve(value ?? null);
    };
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        const member = entry.path.split('/').filter((part) => part !== '' && part !== '.').slice(1).join('/');
        if (member === FILESTORE_INDEX && entry.type === 'File') {
          const chunks: Buffer[] = [];
          entry.on('data', (c: Buffer) => chunks.push(c));
          entry.on('end', () => {
            try {
              finish(null, parseFilestoreIndex(Buffer.concat(chunks).toString('utf8')));
            } catch (error) {
              finish(error as Error);
            }
          });
          return;
        }
        if (member === 'filestore.tar.gz' || member === 'database.dump') finish(null, null);
        entry.resume();
      },
    });
    parser.on('error', (e: Error) => finish(e));
    parser.on('end', () => finish(null, null));
    source.on('error', (e) => finish(e));
    source.pipe(parser as unknown as NodeJS.WritableStream);
  });
}
