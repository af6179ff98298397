import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isStoreFname } from './store-layout.js';

export interface IndexEntry {
  size: number;
  /** When this process (or the listing it was rebuilt from) saw the object stored, ms since the epoch. */
  syncedAt: number;
}

const HEADER = '# odoo-ops attachment store index v1';

/**
 * The local record of what the attachment store holds (one file in
 * BACKUP_DIR): a pass over an unchanged filestore is a directory walk against
 * it, with no request. Lines are `store_fname<TAB>size<TAB>syncedAt`, after a
 * header naming the bucket and prefix, so an index kept for another store is
 * never trusted. Only a file whose upload was confirmed is ever appended.
 */
export class StoreIndex {
  private entries = new Map<string, IndexEntry>();
  private appending: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly storeId: string,
  ) {}

  /**
   * Reads the index at `file` for the store `storeId` (bucket + prefix).
   * Resolves null when there is none, or it belongs to another store or is
   * unreadable: the caller then rebuilds it from a bucket listing.
   */
  static async load(file: string, storeId: string): Promise<StoreIndex | null> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const lines = text.split('\n');
    if (lines[0] !== `${HEADER} ${storeId}`) return null;
    const index = new StoreIndex(file, storeId);
    for (const line of lines.slice(1)) {
      const [fname, size, syncedAt] = line.split('\t');
      // A torn last line (a crash mid-append) is dropped: that file is uploaded again, which is harmless.
      if (!fname || !isStoreFname(fname) || !/^\d+$/.test(size ?? '') || !/^\d+$/.test(syncedAt ?? '')) continue;
      index.entries.set(fname, { size: Number(size), syncedAt: Number(syncedAt) });
    }
    return index;
  }

  /** Writes a new index holding exactly `entries` (atomically: a temporary file renamed over the old one). */
  static async create(file: string, storeId: string, entries: Iterable<[string, IndexEntry]>): Promise<StoreIndex> {
    const index = new StoreIndex(file, storeId);
    for (const [fname, entry] of entries) index.entries.set(fname, entry);
    await mkdir(dirname(file), { recursive: true });
    const body = [`${HEADER} ${storeId}`, ...[...index.entries].map(([f, e]) => `${f}\t${e.size}\t${e.syncedAt}`)].join('\n');
    await writeFile(`${file}.tmp`, `${body}\n`);
    await rename(`${file}.tmp`, file);
    return index;
  }

  has(storeFname: string): boolean {
    return this.entries.has(storeFname);
  }

  get(storeFname: string): IndexEntry | undefined {
    return this.entries.get(storeFname);
  }

  get size(): number {
    return this.entries.size;
  }

  all(): IterableIterator<[string, IndexEntry]> {
    return this.entries.entries();
  }

  /** Records a confirmed upload; appends are serialised so lines never interleave. */
  add(storeFname: string, entry: IndexEntry): Promise<void> {
    this.entries.set(storeFname, entry);
    this.appending = this.appending.then(() => appendFile(this.file, `${storeFname}\t${entry.size}\t${entry.syncedAt}\n`));
    return this.appending;
  }

  /** Forgets files found missing from the bucket or deleted by the sweep (rewrites the file). */
  async remove(storeFnames: Iterable<string>): Promise<void> {
    for (const f of storeFnames) this.entries.delete(f);
    await this.appending;
    await StoreIndex.create(this.file, this.storeId, this.entries);
  }
}
