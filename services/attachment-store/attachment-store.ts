import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import lockfile from 'proper-lockfile';
import { OperationError } from '../operation-error.js';
import { boundedParallel } from './bounded-parallel.js';
import { StoreIndex, type IndexEntry } from './store-index.js';
import { isStoreFname, sha1OfStoreFname, storeKey, storePrefix } from './store-layout.js';
import { walkFilestore } from './walk-filestore.js';

export interface AttachmentStoreOptions {
  client: S3Client;
  bucket: string;
  /** CF_R2_PREFIX. */
  bucketPrefix: string;
  /** POSTGRES_DB: the store holds `filestore/<db>/`. */
  database: string;
  /** The local index file (in BACKUP_DIR). */
  indexFile: string;
  /** Small files uploaded at once (default 8). */
  concurrency?: number;
  /** Files above this size go multipart, streamed (default 16 MiB); below it they are read whole. */
  multipartThresholdBytes?: number;
  /** Multipart part size (default 8 MiB; lib-storage keeps all parts but the last the same size, as R2 requires). */
  partSizeBytes?: number;
  now?: () => number;
}

export interface SyncResult {
  /** Content-addressed files found in the filestore. */
  scanned: number;
  /** Of those, already in the store by the index: no request made. */
  alreadyStored: number;
  uploaded: number;
  uploadedBytes: number;
  /** Listed, then gone before upload (Odoo's garbage collector): nothing stored. */
  vanished: string[];
  /** Size or content changed while being read (being written): not stored, tried again next pass. */
  changing: string[];
  /** Content whose SHA-1 is not its name: reported, never stored under that name. */
  mismatched: string[];
  /** Uploads that failed after the SDK's retries: not marked stored, tried again next pass. */
  failed: Array<{ storeFname: string; message: string }>;
  /** Entries in the filestore that are not content-addressed files (checklist/, strays). */
  skipped: number;
  /** Whether the index was rebuilt from a bucket listing first (missing, or kept for another store). */
  indexRebuilt: boolean;
}

export interface StoreStatus {
  files: number;
  bytes: number;
  /** When the newest file was synced, or null for an empty store. */
  newestSyncedAt: Date | null;
  /** Files in the filestore not yet in the store. */
  pendingFiles: number;
  /** Seconds since the oldest not-yet-stored file was written (0 when none is pending). */
  lagSeconds: number;
}

type FileOutcome = { kind: 'uploaded'; bytes: number } | { kind: 'vanished' | 'changing' | 'mismatched' } | { kind: 'failed'; message: string };

const MiB = 1024 * 1024;

/** SHA-1 of a file, streamed (memory flat). */
async function sha1OfFile(path: string): Promise<string> {
  const hash = createHash('sha1');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

/**
 * The content-addressed copy of one database's filestore in R2 (DESIGN:
 * `CF_R2_PREFIX` + `filestore/<db>/<xx>/<sha1>`): each file uploaded once,
 * after its SHA-1 was checked against its name, and recorded in a local
 * index so an unchanged filestore costs a directory walk and no request.
 * Never lists, writes or deletes outside its own prefix.
 */
export class AttachmentStore {
  private readonly concurrency: number;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly now: () => number;
  private index: StoreIndex | null = null;

  constructor(private readonly options: AttachmentStoreOptions) {
    this.concurrency = options.concurrency ?? 8;
    this.multipartThreshold = options.multipartThresholdBytes ?? 16 * MiB;
    this.partSize = Math.max(5 * MiB, options.partSizeBytes ?? 8 * MiB);
    this.now = options.now ?? Date.now;
  }

  get prefix(): string {
    return storePrefix(this.options.bucketPrefix, this.options.database);
  }

  private get storeId(): string {
    return `${this.options.bucket}/${this.prefix}`;
  }

  private key(storeFname: string): string {
    return storeKey(this.options.bucketPrefix, this.options.database, storeFname);
  }

  /** The index, loaded from BACKUP_DIR or, when missing or kept for another store, rebuilt from a listing. */
  async openIndex(): Promise<{ index: StoreIndex; rebuilt: boolean }> {
    if (this.index) return { index: this.index, rebuilt: false };
    const loaded = await StoreIndex.load(this.options.indexFile, this.storeId);
    if (loaded) return { index: (this.index = loaded), rebuilt: false };
    return { index: await this.rebuildIndex(), rebuilt: true };
  }

  /**
   * Every object under the store's prefix, paginated (1000 a page), as
   * store_fname → size and last-modified time. Keys that are not filestore
   * paths are ignored (never touched).
   */
  async *listObjects(): AsyncGenerator<{ storeFname: string; size: number; lastModified: Date }> {
    let token: string | undefined;
    do {
      const page = await this.options.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const storeFname = object.Key!.slice(this.prefix.length);
        if (isStoreFname(storeFname)) yield { storeFname, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * Replaces the local index with what a bucket listing shows (objects
   * removed behind the bot's back drop out of it and are uploaded again by
   * the next sync). Side effects: list requests; rewrites the index file.
   */
  async rebuildIndex(): Promise<StoreIndex> {
    const entries: Array<[string, IndexEntry]> = [];
    for await (const o of this.listObjects()) entries.push([o.storeFname, { size: o.size, syncedAt: o.lastModified.getTime() }]);
    this.index = await StoreIndex.create(this.options.indexFile, this.storeId, entries);
    return this.index;
  }

  /**
   * One pass: uploads every content-addressed file of `filestoreDir` the
   * index does not hold, small ones `concurrency` at a time, large ones
   * multipart. A file is recorded stored only after its upload succeeded
   * with content matching its name. Faults of single files are returned in
   * the result (the pass goes on); only a failure to walk the filestore or
   * read the index rejects. Refuses (OperationError 'sync') while another
   * pass holds the index.
   */
  async syncOnce(filestoreDir: string): Promise<SyncResult> {
    await mkdir(dirname(this.options.indexFile), { recursive: true });
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.options.indexFile, { realpath: false, lockfilePath: `${this.options.indexFile}.lock`, stale: 60_000, update: 10_000, retries: 0 });
    } catch (error) {
      if (errorCode(error) === 'ELOCKED') throw new OperationError('sync', 'another attachment sync is running; try again when it has finished');
      throw error;
    }
    try {
      const { index, rebuilt } = await this.openIndex();
      const { files, skipped } = await walkFilestore(filestoreDir);
      const pending = files.filter((f) => !index.has(f));
      const result: SyncResult = {
        scanned: files.length,
        alreadyStored: files.length - pending.length,
        uploaded: 0,
        uploadedBytes: 0,
        vanished: [],
        changing: [],
        mismatched: [],
        failed: [],
        skipped,
        indexRebuilt: rebuilt,
      };
      await boundedParallel(pending, this.concurrency, async (storeFname) => {
        const outcome = await this.syncFile(join(filestoreDir, storeFname), storeFname);
        if (outcome.kind === 'uploaded') {
          result.uploaded++;
          result.uploadedBytes += outcome.bytes;
          await index.add(storeFname, { size: outcome.bytes, syncedAt: this.now() });
        } else if (outcome.kind === 'failed') result.failed.push({ storeFname, message: outcome.message });
        else result[outcome.kind].push(storeFname);
      });
      return result;
    } finally {
      await release();
    }
  }

  private async syncFile(path: string, storeFname: string): Promise<FileOutcome> {
    const sha1 = sha1OfStoreFname(storeFname);
    try {
      const before = await lstat(path);
      if (before.size <= this.multipartThreshold) {
        const body = await readFile(path);
        if (body.length !== before.size) return { kind: 'changing' };
        if (createHash('sha1').update(body).digest('hex') !== sha1) return (await this.changedSince(path, before)) ? { kind: 'changing' } : { kind: 'mismatched' };
        await this.options.client.send(
          new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(storeFname), Body: body, ContentLength: body.length, Metadata: { sha1 } }),
        );
        return { kind: 'uploaded', bytes: body.length };
      }
      // Large: check the name first (no upload of a wrong file), then upload a stream hashed again on the way.
      if ((await sha1OfFile(path)) !== sha1) return (await this.changedSince(path, before)) ? { kind: 'changing' } : { kind: 'mismatched' };
      const hashing = sha1PassThrough();
      const source = createReadStream(path);
      source.on('error', (e) => hashing.stream.destroy(e));
      const upload = new Upload({
        client: this.options.client,
        params: { Bucket: this.options.bucket, Key: this.key(storeFname), Body: source.pipe(hashing.stream), Metadata: { sha1 } },
        partSize: Math.max(this.partSize, Math.ceil(before.size / 10_000)),
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
      const bytes = hashing.bytes();
      if (hashing.digest() !== sha1 || bytes !== before.size) {
        // Rewritten during the upload: what went up is not this name's content.
        await this.deleteKeys([this.key(storeFname)]);
        return { kind: 'changing' };
      }
      const head = await this.options.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(storeFname) }));
      if (head.ContentLength !== bytes) return { kind: 'failed', message: `stored size ${head.ContentLength} differs from ${bytes}` };
      return { kind: 'uploaded', bytes };
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { kind: 'vanished' };
      return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  }

  private async changedSince(path: string, before: { size: number; mtimeMs: number }): Promise<boolean> {
    const after = await lstat(path);
    return after.size !== before.size || after.mtimeMs !== before.mtimeMs;
  }

  /**
   * What status shows: files and bytes stored (from the index, no request),
   * the newest sync, and how far the store lags the filestore (a walk, and a
   * stat of each not-yet-stored file only).
   */
  async status(filestoreDir: string): Promise<StoreStatus> {
    const { index } = await this.openIndex();
    let bytes = 0;
    let newest = 0;
    for (const [, e] of index.all()) {
      bytes += e.size;
      newest = Math.max(newest, e.syncedAt);
    }
    const { files } = await walkFilestore(filestoreDir);
    let oldestPending = Infinity;
    let pendingFiles = 0;
    for (const f of files) {
      if (index.has(f)) continue;
      try {
        oldestPending = Math.min(oldestPending, (await lstat(join(filestoreDir, f))).mtimeMs);
        pendingFiles++;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
    return {
      files: index.size,
      bytes,
      newestSyncedAt: newest > 0 ? new Date(newest) : null,
      pendingFiles,
      lagSeconds: pendingFiles > 0 ? Math.max(0, Math.round((this.now() - oldestPending) / 1000)) : 0,
    };
  }

  /** Whether the bucket holds `storeFname` now (a HEAD request; the index may be stale). */
  async exists(storeFname: string): Promise<boolean> {
    try {
      await this.options.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(storeFname) }));
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return false;
      throw error;
    }
  }

  /** Whether this machine ever synced the store (its local index file exists); no request. */
  async everSynced(): Promise<boolean> {
    return (await lstat(this.options.indexFile).then(() => true, () => false));
  }

  /** Whether the index records `storeFname` as stored (no request). */
  async holds(storeFname: string): Promise<boolean> {
    return (await this.openIndex()).index.has(storeFname);
  }

  /**
   * Streams one stored file to `destination` (written beside it, renamed
   * into place only when its SHA-1 matches its name). Rejects, leaving
   * nothing at `destination`, when the object is missing or wrong.
   */
  async fetchObject(storeFname: string, destination: string): Promise<number> {
    const sha1 = sha1OfStoreFname(storeFname);
    const answer = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(storeFname) }));
    const hashing = sha1PassThrough();
    const partial = `${destination}.part`;
    await mkdir(dirname(destination), { recursive: true });
    try {
      await pipeline(answer.Body as Readable, hashing.stream, createWriteStream(partial));
      if (hashing.digest() !== sha1) throw new OperationError('fetch', `the stored file ${storeFname} does not match its name`);
      await rename(partial, destination);
      return hashing.bytes();
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  /** Deletes these keys (all under the store's prefix, else refused), 1000 a request; forgets them in the index. */
  async deleteObjects(storeFnames: string[]): Promise<void> {
    for (const f of storeFnames) if (!isStoreFname(f)) throw new Error(`not a filestore path: ${f}`);
    await this.deleteKeys(storeFnames.map((f) => this.key(f)));
    const { index } = await this.openIndex();
    await index.remove(storeFnames);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const answer = await this.options.client.send(
        new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      if (answer.Errors?.length) throw new Error(`${answer.Errors.length} stored files could not be deleted: ${answer.Errors[0]!.Message ?? answer.Errors[0]!.Code}`);
    }
  }
}

/** A pass-through stream that hashes (SHA-1) and counts what flows through it: uploads and fetches check a file's name on the way. */
function sha1PassThrough(): { stream: Transform; digest(): string; bytes(): number } {
  const hash = createHash('sha1');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex'), bytes: () => bytes };
}
