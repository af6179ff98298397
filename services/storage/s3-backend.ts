import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { IdleTimeout } from './idle-timeout.js';
import { isBackupName } from '../backup/backup-name.js';
import { OperationError } from '../operation-error.js';
import type { StorageBackend, StoredBackup, StoreProgress } from './storage-backend.js';

// The minimum part size: lib-storage copies each part into one buffer. 16 MiB
// parts, though sent with less CPU, raised the CLI's peak RSS past 200 MB; 8 MiB
// parts cost 10 MB more for no measurable gain in a whole backup (docs/benchmarks.md, bench:backup).
const MIN_PART = 5 * 1024 * 1024;
// R2 and S3 allow at most 10,000 parts; stay well below.
const MAX_PARTS = 9000;
const DELETE_BATCH = 1000;
const FETCH_IDLE_MS = 60_000;
/** How long a listing or a lookup may take before R2 counts as unreachable (list, verify and restore of a local archive wait no longer). */
export const R2_LOOKUP_DEADLINE_MS = 10_000;

/** An SDK request cancelled by our deadline, said the way an operator reads it. */
function unreachable(error: unknown, signal: AbortSignal, deadlineMs: number): unknown {
  if (!signal.aborted) return error;
  return new Error(`R2 unreachable: no answer within ${Math.round(deadlineMs / 1000)} s`, { cause: error });
}

/** Backups as objects `<prefix><name>` in an S3-compatible bucket (Cloudflare R2). */
export class S3Backend implements StorageBackend {
  readonly location = 'r2' as const;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly lookupDeadlineMs = R2_LOOKUP_DEADLINE_MS,
  ) {}

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /**
   * Every backup under the prefix, following continuation tokens past 1000
   * objects. The whole listing has the lookup deadline: past it, the request is
   * cancelled (no socket left waiting) and it rejects with "R2 unreachable: …".
   */
  async list(): Promise<StoredBackup[]> {
    const signal = AbortSignal.timeout(this.lookupDeadlineMs);
    const found: StoredBackup[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }), { abortSignal: signal });
        for (const object of page.Contents ?? []) {
          const name = object.Key?.slice(this.prefix.length) ?? '';
          if (isBackupName(name)) found.push({ name, sizeBytes: object.Size ?? 0 });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw unreachable(error, signal, this.lookupDeadlineMs);
    }
    return found;
  }

  /** HEAD of one object, under the lookup deadline (rejects "R2 unreachable: …" past it). */
  async describe(name: string): Promise<StoredBackup | null> {
    const signal = AbortSignal.timeout(this.lookupDeadlineMs);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(name) }), { abortSignal: signal });
      return { name, sizeBytes: head.ContentLength ?? 0, sha256: head.Metadata?.sha256, writer: head.Metadata?.['odoo-ops-writer'] };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return null;
      throw unreachable(error, signal, this.lookupDeadlineMs);
    }
  }

  /**
   * Aborts the multipart uploads under the prefix begun before `startedBefore`
   * (left by a run that was killed: R2 would keep their parts, billed, for 7
   * days). Only keys whose name after the prefix is a backup name are touched.
   * Returns how many were aborted; `null` when the store does not implement
   * ListMultipartUploads (s3rver: NotImplemented / 405). Lookup deadline per request.
   */
  async abortStaleUploads(startedBefore: Date): Promise<number | null> {
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const signal = AbortSignal.timeout(this.lookupDeadlineMs);
      let page;
      try {
        page = await this.client.send(
          new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
          { abortSignal: signal },
        );
      } catch (error) {
        const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === 'NotImplemented' || e.Code === 'NotImplemented' || e.$metadata?.httpStatusCode === 405 || e.$metadata?.httpStatusCode === 501) return null;
        throw unreachable(error, signal, this.lookupDeadlineMs);
      }
      for (const upload of page.Uploads ?? []) {
        const name = upload.Key?.slice(this.prefix.length) ?? '';
        if (!upload.Key?.startsWith(this.prefix) || !isBackupName(name) || !upload.UploadId) continue;
        if (!upload.Initiated || upload.Initiated.getTime() >= startedBefore.getTime()) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key, UploadId: upload.UploadId }), {
          abortSignal: AbortSignal.timeout(this.lookupDeadlineMs),
        });
        aborted++;
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return aborted;
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
    meta: { sha256: string; sizeBytes: number; writer?: string },
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
        Metadata: { sha256: meta.sha256, ...(meta.writer ? { 'odoo-ops-writer': meta.writer } : {}) },
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
    await pipeline(object.Body as Readable, new IdleTimeout(FETCH_IDLE_MS, `downloading ${name} from R2`), createWriteStream(destination, { mode: 0o600 }));
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
