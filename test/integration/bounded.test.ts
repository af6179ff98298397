import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runBackup } from '../../services/backup/run-backup.js';
import { CLEANUP_RECORD } from '../../services/cleanup/remove-leftovers.js';
import type { Services } from '../../services/services.js';
import { S3Backend } from '../../services/storage/s3-backend.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { backupWorld } from '../helpers/backup-services.js';
import { startFrozenServer, type FrozenServer } from '../helpers/frozen-s3.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { testbedEnv } from '../helpers/testbed-env.js';
import { waitFor } from '../helpers/wait-for.js';

const testbed = inject('testbed');
const BIN = fileURLToPath(new URL('../../bin/odoo-ops.js', import.meta.url));
const ADDONS = fileURLToPath(new URL('../../addons', import.meta.url));
const BIG_DIR = () => join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database, 'fd');
const entries = (dir: string) => readdir(dir).catch(() => [] as string[]);
const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

interface Run {
  code: number | null;
  /** Set when the test had to kill the process: it did not exit by itself. */
  killed: boolean;
  out: string;
  err: string;
}

/** `odoo-ops <args>` as its own process under umask 022, with exactly `env` (plus PATH); killed after `limitMs` if still running. */
function odooOps(args: string[], env: Record<string, string | undefined>, limitMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'umask 022 && exec "$0" "$@"', process.execPath, BIN, ...args], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, out, err });
    });
  });
}

describe('bounded time: R2 that stops answering', () => {
  let frozen: FrozenServer;
  beforeAll(async () => {
    frozen = await startFrozenServer();
    await seedDatabase(testbed, 100);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 10);
  });
  afterAll(() => frozen.close());

  it('a backup whose upload stalls fails at upload, keeps its local archive and says so, and releases the lock; verify of that local archive does not wait on R2', async () => {
    const world = await backupWorld(testbed, { CF_R2_ENDPOINT: frozen.endpoint });
    // The production client with shorter timeouts: 1.5 s of silence, 2 tries.
    const client = createS3Client({ endpoint: frozen.endpoint, accessKeyId: testbed.s3.accessKeyId, secretAccessKey: testbed.s3.secretAccessKey }, { connectMs: 1500, idleMs: 1500, maxAttempts: 2 });
    const r2 = new S3Backend(client, testbed.s3.bucket, world.prefix, 2000);
    const services: Services = { ...world.services, r2, backends: [world.services.local, r2] };

    const outcome = await runBackup(services, { startedBy: 'test' });

    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.stage).toBe('upload');
    expect(outcome.localArchive).toMatch(/^odoo_backup_.*\.tar\.gz$/);
    expect(outcome.error.userMessage).toContain(`the local archive ${outcome.localArchive} is kept`);
    expect(await entries(world.backupDir)).toEqual([outcome.localArchive]);
    // The lock is free: the next operation takes it at once.
    const next = await services.lock.acquire('backup', 'test');
    await next.release();

    // `verify` of the local copy, as its own process with the production timeouts and the frozen R2.
    const verify = await odooOps(['verify', outcome.localArchive!, '--json'], testbedEnv(testbed, { BACKUP_DIR: world.backupDir, ADDONS_DIR: world.addonsDir, CF_R2_PREFIX: world.prefix, CF_R2_ENDPOINT: frozen.endpoint }));
    expect(verify.killed).toBe(false);
    expect(verify.code, verify.err).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ name: outcome.localArchive, ok: true, locations: ['local'] });
  }, 120_000);

  it('status, list and doctor exit by themselves and say R2 is unreachable; no AWS SDK Node-version warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-frozen-'));
    const env = testbedEnv(testbed, { BACKUP_DIR: join(dir, 'backup'), ADDONS_DIR: ADDONS, CF_R2_ENDPOINT: frozen.endpoint });
    const [status, list, doctor] = await Promise.all([odooOps(['status'], env), odooOps(['list'], env), odooOps(['doctor'], env)]);

    expect(status.killed).toBe(false);
    expect(status.out).toMatch(/^R2\s+unreachable \(/m);
    expect(status.out).toMatch(/^Odoo stack: DEGRADED/);

    expect(list.killed).toBe(false);
    expect(list.code).toBe(1);
    expect(list.out).toContain('warning: r2 could not be listed: R2 unreachable: no answer within 10 s');

    expect(doctor.killed).toBe(false);
    expect(doctor.code).toBe(1);
    expect(doctor.out).toMatch(/✘ R2.*R2 unreachable: no answer within \d+ s/);

    for (const run of [status, list, doctor]) expect(run.err).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
  }, 90_000);
});

describe('nothing left behind, private by default', () => {
  beforeAll(async () => {
    await seedDatabase(testbed, 100);
    // Incompressible attachments: the archive takes long enough to be caught half-written.
    await mkdir(BIG_DIR(), { recursive: true });
    await writeFile(join(BIG_DIR(), 'big-attachment'), randomBytes(24 * 1024 * 1024));
  });
  afterAll(() => rm(BIG_DIR(), { recursive: true, force: true }));

  it('after kill -9 of a backup mid-run, the next backup removes its staging and partial files at once and status shows the counts; under umask 022 BACKUP_DIR is 0700 and the archive 0600', async () => {
    const root = await mkdtemp(join(tmpdir(), 'odoo-ops-killed-'));
    const backupDir = join(root, 'backup');
    const env = testbedEnv(testbed, { BACKUP_DIR: backupDir, ADDONS_DIR: ADDONS, CF_R2_PREFIX: `k${Date.now()}/` });

    // A real `odoo-ops backup`, killed once its staging directory and partial archive exist.
    const child = spawn('/bin/sh', ['-c', 'umask 022 && exec "$0" "$@"', process.execPath, BIN, 'backup'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on('close', resolve));
    const leftovers = (names: string[]) => names.filter((n) => n.endsWith('.staging') || n.endsWith('.partial'));
    // Not on a terminal, the CLI prints no stage lines: BACKUP_DIR itself shows the run is under way.
    // A run that never gets there fails the assertion below, which shows what it logged and left.
    await waitFor('the staging directory and the partial archive', async () => leftovers(await entries(backupDir)).length >= 2, { intervalMs: 5 }).catch(() => {});
    child.kill('SIGKILL');
    await exited;
    const left = await entries(backupDir);
    expect(leftovers(left).length, `${stderr}\n${left.join(', ')}`).toBe(2);
    expect(await mode(backupDir)).toBe('700');

    const next = await odooOps(['backup', '--json'], env, 120_000);
    expect(next.code, next.err).toBe(0);
    const { name } = JSON.parse(next.out) as { name: string };
    expect((await entries(backupDir)).sort()).toEqual([CLEANUP_RECORD, name].sort());
    expect(await mode(join(backupDir, name))).toBe('600');
    expect(await mode(join(backupDir, CLEANUP_RECORD))).toBe('600');

    const status = await odooOps(['status', '--json'], env);
    expect(JSON.parse(status.out).lastCleanup).toMatchObject({ backupStaging: 1, partialArchives: 1, restoreStaging: 0 });
  }, 180_000);
});
