import { S3Client } from '@aws-sdk/client-s3';

/**
 * An S3 client set up for Cloudflare R2 and other S3-compatible stores: region
 * `auto`, path-style addressing, and checksums only when an operation requires
 * them (newer SDKs otherwise send CRC trailers that such stores reject).
 */
export interface S3Endpoint {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function createS3Client(r2: S3Endpoint): S3Client {
  return new S3Client({
    endpoint: r2.endpoint,
    region: 'auto',
    forcePathStyle: true,
    credentials: { accessKeyId: r2.accessKeyId, secretAccessKey: r2.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
