import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

export interface S3Server {
  endpoint: string;
  port: number;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  pid: number;
}

const SCRIPT = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));

/**
 * Starts s3rver (an S3-compatible server) in its own Node process on a free
 * loopback port, with one bucket and a fresh key pair, storing under `directory`.
 */
export async function startS3Server(directory: string, options: { port?: number } = {}): Promise<S3Server & { process: ChildProcess }> {
  mkdirSync(directory, { recursive: true });
  const port = options.port ?? (await freePort());
  const server = {
    bucket: 'odoo-backups',
    accessKeyId: `TEST${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString('base64url'),
  };
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', SCRIPT, String(port), directory, server.bucket, server.accessKeyId, server.secretAccessKey],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^READY (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before it was ready`)));
    child.once('error', reject);
  });
  return { ...server, port: ready, endpoint: `http://127.0.0.1:${ready}`, pid: child.pid!, process: child };
}

/** Stops an s3rver process and waits for it to exit. */
export async function stopS3Server(server: { process: ChildProcess }): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) return;
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGTERM');
  await exited;
}
