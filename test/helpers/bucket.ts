import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '../../services/storage/s3-client.js';
import type { TestbedInfo } from '../testbed/testbed-info.js';

/** Every key in the test bucket under `prefix`, read straight from s3rver. */
export async function keysUnder(testbed: TestbedInfo, prefix: string): Promise<string[]> {
  const s3 = createS3Client(testbed.s3);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: testbed.s3.bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}
