import { S3Client } from '@aws-sdk/client-s3';

export interface S3Endpoint {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** How long an R2 request may wait before it fails; tests shorten them. */
export interface S3Timeouts {
  /** TCP (and TLS) connection set-up. */
  connectMs: number;
  /**
   * Socket inactivity, in either direction: a stalled connection (a store that
   * accepts and stops answering, a half-open link) fails after this much
   * silence, while a slow but moving transfer may take as long as it needs.
   */
  idleMs: number;
  /** Tries of each request, the first included (the SDK's retries with backoff). */
  maxAttempts: number;
}

/**
 * 30 s of silence, 3 tries: a stalled upload fails in about 1.5 min per
 * request (a part, then lib-storage's abort of the upload), a few minutes in all.
 */
export const DEFAULT_S3_TIMEOUTS: S3Timeouts = { connectMs: 10_000, idleMs: 30_000, maxAttempts: 3 };

/**
 * An S3 client set up for Cloudflare R2 and other S3-compatible stores: region
 * `auto`, path-style addressing, checksums only when an operation requires
 * them (newer SDKs otherwise send CRC trailers that such stores reject), and
 * every request bounded by `timeouts` (the SDK has none by default).
 * Side effect: switches off the SDK's one-time Node-version support warning
 * for this process (its documented variable), set only when the operator has
 * not set it: odoo-ops states its own Node requirement (docs/operations.md), and the
 * warning otherwise opens every CLI run. Other warnings are untouched.
 */
export function createS3Client(r2: S3Endpoint, timeouts: S3Timeouts = DEFAULT_S3_TIMEOUTS): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    endpoint: r2.endpoint,
    region: 'auto',
    forcePathStyle: true,
    credentials: { accessKeyId: r2.accessKeyId, secretAccessKey: r2.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: timeouts.maxAttempts,
    // The SDK builds its NodeHttpHandler from these options.
    requestHandler: { connectionTimeout: timeouts.connectMs, socketTimeout: timeouts.idleMs },
  });
}
