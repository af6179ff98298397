import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { statusCommand } from '../../commands/status.js';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import { buildServices } from '../../src/build-services.js';
import { loadConfig } from '../../src/config.js';
import { runCli } from '../helpers/run-cli.js';
import { testbedEnv } from '../helpers/testbed-env.js';
import { withPaused, withStopped } from '../helpers/stack-faults.js';
import { freePort } from '../testbed/free-port.js';

const testbed = inject('testbed');
const docker = createDockerClient(testbed.dockerHost);

const cli = (argv: string[], env: Record<string, string | undefined>) => runCli(argv, env, testbed.workDir);

async function freshBackupDir(): Promise<string> {
  return mkdtemp(join(testbed.workDir, 'backups-'));
}

describe('odoo-ops status', () => {
  it('prints the DESIGN JSON: both containers running, Odoo ok, database and filestore sizes, R2 reachable', async () => {
    const backupDir = await freshBackupDir();
    await mkdir(join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database, 'ab'), { recursive: true });
    await writeFile(join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database, 'ab', 'attachment'), Buffer.alloc(4096));
    const { code, out } = await cli(['status', '--json'], testbedEnv(testbed, { BACKUP_DIR: backupDir }));
    const status = JSON.parse(out);
    expect(code).toBe(0);
    expect(status.containers.map((c: { service: string; state: string; health: string }) => [c.service, c.state, c.health])).toEqual([
      ['odoo', 'running', 'healthy'],
      ['db', 'running', 'healthy'],
    ]);
    expect(status.odoo.ok).toBe(true);
    expect(status.odoo.latencyMs).toBeGreaterThanOrEqual(0);
    expect(status.database.sizeBytes).toBeGreaterThan(1_000_000);
    expect(status.filestore.sizeBytes).toBeGreaterThanOrEqual(4096);
    expect(status.r2).toBe('reachable');
    expect(status.disk.freeBytes).toBeGreaterThan(0);
    expect(Date.parse(status.nextRun)).toBeGreaterThan(Date.now());
    // No backup in a fresh BACKUP_DIR nor under a fresh prefix: serving, but not healthy.
    expect(status.lastBackup).toBeNull();
    expect(status.verdict).toBe('degraded');
    expect(status.reasons).toContain('no backup found');
  });

  it('shows the newest backup across local and R2 and warns when it is older than the schedule allows', async () => {
    const backupDir = await freshBackupDir();
    const prefix = `status-${Date.now()}/`;
    await writeFile(join(backupDir, 'odoo_backup_2020-01-01_02-00-00.tar.gz'), 'old');
    const s3 = createS3Client(testbed.s3);
    await s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: `${prefix}odoo_backup_2020-01-01_02-00-00.tar.gz`, Body: 'old' }));
    const { out } = await cli(['status', '--json'], testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_PREFIX: prefix }));
    const status = JSON.parse(out);
    expect(status.lastBackup).toMatchObject({ name: 'odoo_backup_2020-01-01_02-00-00.tar.gz', locations: ['local', 'r2'], overdue: true });
    expect(status.lastBackup.ageSeconds).toBeGreaterThan(365 * 86400);
    expect(status.reasons.join('\n')).toContain('older than the schedule allows');

    const text = await cli(['status'], testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_PREFIX: prefix }));
    expect(text.out).toMatch(/^Odoo stack: DEGRADED/);
    expect(text.out).toMatch(/Container odoo\s+running, healthy, up /);
    expect(text.out).toMatch(/Last backup\s+odoo_backup_2020-01-01_02-00-00\.tar\.gz, .* in local \+ r2 — older than the schedule allows/);
  });

  it('says "local-only" when R2 is not configured', async () => {
    const env = testbedEnv(testbed, { BACKUP_DIR: await freshBackupDir() });
    for (const name of ['CF_R2_ENDPOINT', 'CF_R2_BUCKET', 'CF_R2_ACCESS_KEY_ID', 'CF_R2_SECRET_ACCESS_KEY']) delete env[name];
    const { out } = await cli(['status', '--json'], env);
    expect(JSON.parse(out).r2).toBe('local-only');
  });

  it('reports down, with the reason, and exits 1 while the Odoo container is stopped: stopped, not its stale health, and the refused port', async () => {
    const env = testbedEnv(testbed, { BACKUP_DIR: await freshBackupDir() });
    const odoo = docker.getContainer(testbed.stack.odoo.container);
    // The stand-in is on the host network: stopped, its port is closed.
    const port = new URL(testbed.stack.odoo.url).port;
    const [json, text] = await withStopped(odoo, async () => [await cli(['status', '--json'], env), await cli(['status'], env)]);
    const status = JSON.parse(json.out);
    expect(json.code).toBe(1);
    expect(status.verdict).toBe('down');
    expect(status.reasons).toContain('odoo container is stopped (exited)');
    expect(status.reasons).toContain(`Odoo /web/health: connect ECONNREFUSED 127.0.0.1:${port}`);
    // Docker keeps the last health of a stopped container; status does not claim it.
    expect(status.containers[0]).toMatchObject({ service: 'odoo', state: 'exited', health: 'none', uptimeSeconds: null });
    expect(status.odoo.ok).toBe(false);
    expect(status.errors.odoo).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/Container odoo\s+stopped \(exited\), 0 restarts/);
    expect(text.out).not.toMatch(/unhealthy|fetch failed/);
    expect(text.out).toMatch(new RegExp(`Odoo /web/health\\s+not answering: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    // Left as it was found: running and healthy for the next test file.
    expect((await odoo.inspect()).State.Health?.Status).toBe('healthy');
  });

  it('names the cause when nothing listens on ODOO_URL, as doctor does, not "fetch failed"', async () => {
    const port = await freePort();
    const env = testbedEnv(testbed, { BACKUP_DIR: await freshBackupDir(), ODOO_URL: `http://127.0.0.1:${port}` });
    const status = await cli(['status', '--json'], env);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.out).reasons).toContain(`Odoo /web/health: connect ECONNREFUSED 127.0.0.1:${port}`);
    const doctor = await cli(['doctor', '--json'], env);
    const check = JSON.parse(doctor.out).checks.find((c: { name: string }) => c.name === 'odoo');
    expect(check).toMatchObject({ state: 'fail', detail: `http://127.0.0.1:${port}/web/health did not answer: connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('answers, with the database probe unknown, while the db container is paused', async () => {
    const config = loadConfig(testbedEnv(testbed, { BACKUP_DIR: await freshBackupDir() }), 'cli');
    const services = buildServices(config);
    const db = docker.getContainer(testbed.stack.db.container);
    // A status that waited on the paused database would hang the test: each probe's own deadline answers instead.
    const reply = await withPaused(db, () => statusCommand(services));
    expect(reply.status.databaseSizeBytes.ok).toBe(false);
    expect(reply.status.verdict).toBe('down');
    expect(reply.status.reasons).toContain('database "odoo": cannot query: the db container is paused or stopped');
    // Docker lists a paused container slowly when the machine is busy (a full test
    // run): the listing may go unanswered within the probe's 2 s, and says so.
    expect(reply.status.reasons.filter((r) => r === 'db container is paused' || r === 'containers: unknown (timeout)')).toHaveLength(1);
    // The other probes still answered.
    expect(reply.status.odoo).toMatchObject({ ok: true });
    expect(reply.status.r2).toEqual({ state: 'reachable' });
  });
});

describe('odoo-ops list', () => {
  it('prints every backup newest first with where each lives (DESIGN JSON)', async () => {
    const backupDir = await freshBackupDir();
    const prefix = `list-${Date.now()}/`;
    await writeFile(join(backupDir, 'odoo_backup_2026-01-02_02-00-00.tar.gz'), 'aaaa');
    await writeFile(join(backupDir, 'odoo_backup_2026-01-01_02-00-00.tar.gz'), 'bb');
    await writeFile(join(backupDir, 'notes.txt'), 'not a backup');
    const s3 = createS3Client(testbed.s3);
    await s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: `${prefix}odoo_backup_2026-01-01_02-00-00.tar.gz`, Body: 'bb' }));
    await s3.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: `${prefix}odoo_backup_2025-12-31_02-00-00.tar.gz`, Body: 'ccc' }));
    const { code, out } = await cli(['list', '--json'], testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_PREFIX: prefix }));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([
      { name: 'odoo_backup_2026-01-02_02-00-00.tar.gz', sizeBytes: 4, createdAt: '2026-01-02T02:00:00.000Z', locations: ['local'] },
      { name: 'odoo_backup_2026-01-01_02-00-00.tar.gz', sizeBytes: 2, createdAt: '2026-01-01T02:00:00.000Z', locations: ['local', 'r2'] },
      { name: 'odoo_backup_2025-12-31_02-00-00.tar.gz', sizeBytes: 3, createdAt: '2025-12-31T02:00:00.000Z', locations: ['r2'] },
    ]);
    const text = await cli(['list'], testbedEnv(testbed, { BACKUP_DIR: backupDir, CF_R2_PREFIX: prefix }));
    expect(text.out).toMatch(/odoo_backup_2026-01-01_02-00-00\.tar\.gz\s+2026-01-01 02:00\s+.* ago\s+2 B\s+local\+r2/);
  });
});
