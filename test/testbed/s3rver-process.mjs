// Runs s3rver in its own process; it needs `node --openssl-legacy-provider`
// (DES for its list continuation tokens). Prints "READY <port>" once listening.
// Usage: node --openssl-legacy-provider s3rver-process.mjs <port> <directory> <bucket> <accessKeyId> <secretAccessKey>
import { createRequire } from 'node:module';
import S3rver from 's3rver';

const AWSAccount = createRequire(import.meta.url)('s3rver/lib/models/account.js');

const [port, directory, bucket, accessKeyId, secretAccessKey] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  resetOnClose: false,
  configureBuckets: [{ name: bucket }],
  allowMismatchedSignatures: false,
  vhostBuckets: false,
});
// Signatures are checked against our own key pair instead of s3rver's built-in S3RVER/S3RVER.
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
const { port: bound } = await server.run();
process.stdout.write(`READY ${bound}\n`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
