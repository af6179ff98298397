import { isStoreFname, sha1OfStoreFname } from './store-layout.js';
import type { AttachmentStore } from './attachment-store.js';
import { walkFilestore } from './walk-filestore.js';

export interface FilestoreIndexEntry {
  storeFname: string;
  size: number;
  sha1: string;
}

/** `filestore.index` (DESIGN): one line per file, `store_fname size sha1`, sorted, newline-terminated. */
export function formatFilestoreIndex(entries: FilestoreIndexEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.storeFname < b.storeFname ? -1 : a.storeFname > b.storeFname ? 1 : 0))
    .map((e) => `${e.storeFname} ${e.size} ${e.sha1}\n`)
    .join('');
}

/** Parses `filestore.index`; throws naming the first bad line (a path outside `xx/<sha1>`, a size or SHA-1 that is not one). */
export function parseFilestoreIndex(text: string): FilestoreIndexEntry[] {
  const entries: FilestoreIndexEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const [storeFname, size, sha1, extra] = line.split(' ');
    if (extra !== undefined || !storeFname || !isStoreFname(storeFname) || !/^\d+$/.test(size ?? '') || sha1 !== sha1OfStoreFname(storeFname)) {
      throw new Error(`filestore.index line ${i + 1} is not "<xx>/<sha1> <size> <sha1>"`);
    }
    entries.push({ storeFname, size: Number(size), sha1 });
  });
  return entries;
}

/**
 * The index of a backup of the second kind: every content-addressed file of
 * `filestoreDir` that the store holds (run a sync first). Files the store
 * does not hold (content not matching the name, written during the sync) are
 * returned apart, so the backup can name them. No request: the store's local index.
 */
export async function buildFilestoreIndex(store: AttachmentStore, filestoreDir: string): Promise<{ entries: FilestoreIndexEntry[]; notStored: string[] }> {
  const { index } = await store.openIndex();
  const { files } = await walkFilestore(filestoreDir);
  const entries: FilestoreIndexEntry[] = [];
  const notStored: string[] = [];
  for (const f of files) {
    const held = index.get(f);
    if (held) entries.push({ storeFname: f, size: held.size, sha1: sha1OfStoreFname(f) });
    else notStored.push(f);
  }
  return { entries, notStored };
}
