import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { IdleTimeout } from './idle-timeout.js';
import { isBackupName } from '../backup/backup-name.js';
import { OperationError } from '../operation-error.js';
import type { StorageBackend, StoredBackup, StoreProgress } from './storage-backend.js';

// The minimum part size: lib-storage copies each part into one buffer. 16 MiB
// parts, though sent with less CPU, raised the CLI's peak RSS past 200 MB; 8 MiB
// parts cost 10 MB more for no measurable gain in a whole backup (README).
const MIN_PART = 5 * 1024 * 1024;
// R2 and S3 allow at most 10,000 parts; stay well below.
const MAX_PARTS = 9000;
const DELETE_BATCH = 1000;
const FETCH_IDLE_MS = 60_000;

/** Backups as objects `<prefix><name>` in an S3-compatible bucket (Cloudflare R2). */
export class S3Backend implements StorageBackend {
  readonly location = 'r2' as const;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Every backup under the prefix, following continuation tokens past 1000 objects. */
  async list(): Promise<StoredBackup[]> {
    const found: StoredBackup[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(this.prefix.length) ?? '';
        if (isBackupName(name)) found.push({ name, sizeBytes: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  async describe(name: string): Promise<StoredBackup | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return { name, sizeBytes: head.ContentLength ?? 0, sha256: head.Metadata?.sha256 };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return null;
      throw error;
    }
  }

  /**
   * Multipart upload streamed from the file (bounded memory: about two parts in
   * flight), the SHA-256 in the object's metadata. lib-storage aborts the
   * multipart upload when a part fails; a stored object of the wrong size is deleted.
   * `signal` fails the file stream, so lib-storage aborts the multipart upload
   * and settles only after that (its own `abort()` settles before).
   */
  async store(
    file: string,
    name: string,
    meta: { sha256: string; sizeBytes: number },
    onProgress?: (p: StoreProgress) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    signal?.throwIfAborted();
    const partSize = Math.max(MIN_PART, Math.ceil(meta.sizeBytes / MAX_PARTS));
    const body = createReadStream(file, { highWaterMark: 1024 * 1024 });
    const cancel = () => body.destroy(new Error('upload cancelled'));
    signal?.addEventListener('abort', cancel, { once: true });
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.key(name),
        Body: body,
        ContentType: 'application/gzip',
        Metadata: { sha256: meta.sha256 },
      },
      partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    if (onProgress) upload.on('httpUploadProgress', (p) => onProgress({ bytes: p.loaded ?? 0, total: meta.sizeBytes }));
    try {
      await upload.done();
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    const stored = await this.describe(name);
    if (stored?.sizeBytes !== meta.sizeBytes) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(name) })).catch(() => undefined);
      throw new OperationError('upload', `the uploaded object is ${stored?.sizeBytes ?? 0} bytes, expected ${meta.sizeBytes}; it was deleted`);
    }
  }

  /** Streams the object to `destination`; a download that stalls for a minute fails instead of hanging. */
  async fetch(name: string, destination: string): Promise<void> {
    // Bounds the wait for the response only; the body then has the idle timeout.
    const answering = new AbortController();
    const timer = setTimeout(() => answering.abort(), FETCH_IDLE_MS);
    let object;
    try {
      object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }), { abortSignal: answering.signal });
    } finally {
      clearTimeout(timer);
    }
    await pipeline(object.Body as Readable, new IdleTimeout(FETCH_IDLE_MS, `downloading ${name} from R2`), createWriteStream(destination));
  }

  /** Batch deletes, 1000 keys a request; any key the store refused is reported. */
  async remove(names: string[]): Promise<void> {
    for (const name of names) {
      if (!isBackupName(name)) throw new OperationError('retention', `refusing to delete "${name}": not a backup name`);
    }
    for (let i = 0; i < names.length; i += DELETE_BATCH) {
      const batch = names.slice(i, i + DELETE_BATCH);
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((name) => ({ Key: this.key(name) })), Quiet: true } }),
      );
      if (result.Errors?.length) {
        const first = result.Errors[0]!;
        throw new OperationError('retention', `R2 refused to delete ${result.Errors.length} object(s), e.g. ${first.Key}: ${first.Message ?? first.Code}`);
      }
    }
  }
}
