import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { keysUnder } from '../helpers/bucket.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { testbedEnv } from '../helpers/testbed-env.js';
import { freePort } from '../testbed/free-port.js';

const testbed = inject('testbed');
const BIN = fileURLToPath(new URL('../../bin/odoo-ops.js', import.meta.url));

function odooOps(args: string[], overrides: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'odoo-ops-cli-'));
  const env = { PATH: process.env.PATH ?? '', ADDONS_DIR: fileURLToPath(new URL('../../addons', import.meta.url)), BACKUP_DIR: join(root, 'backup'), ...testbedEnv(testbed), CF_R2_PREFIX: `cli-${Date.now()}/`, ...overrides };
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: root, env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 120_000 });
  return { ...result, env };
}

describe('odoo-ops backup and prune on the command line', () => {
  beforeAll(async () => {
    await seedDatabase(testbed, 50);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 5);
  });

  it('backup --json prints one JSON document, stores the archive locally and in the bucket, exit 0', async () => {
    const { status, stdout, stderr, env } = odooOps(['backup', '--json']);
    expect(status, stderr).toBe(0);
    const document = JSON.parse(stdout);
    expect(document).toMatchObject({ locations: ['local', 'r2'] });
    expect(document.name).toMatch(/^odoo_backup_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.tar\.gz$/);
    expect(document.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(document.sizeBytes).toBeGreaterThan(0);
    expect(document.durationMs).toBeGreaterThan(0);
    expect(readdirSync(env.BACKUP_DIR!)).toEqual([document.name]);
    expect(await keysUnder(testbed, env.CF_R2_PREFIX!)).toEqual([`${env.CF_R2_PREFIX}${document.name}`]);
    // Logs go to stderr as JSON lines, without the database password or the R2 secret.
    expect(stderr).toContain('"msg":"backup succeeded"');
    expect(stderr).not.toContain(testbed.stack.db.password);
    expect(stderr).not.toContain(testbed.s3.secretAccessKey);
  });

  it('a failed backup prints {"error": {stage, message}} and exits 1', () => {
    const { status, stdout } = odooOps(['backup', '--json'], { DB_SERVICE: 'no-such-service' });
    expect(status).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ error: { stage: 'dump', message: `no container found for compose service "no-such-service" in compose project "${testbed.stack.project}"` } });
  });

  it('a bad configuration is exit 2 and names the variable', () => {
    const { status, stderr } = odooOps(['backup'], { BACKUP_RETENTION_DAYS: 'forever' });
    expect(status).toBe(2);
    expect(stderr.trim()).toBe('BACKUP_RETENTION_DAYS: expected a whole number of days, 1 or more, got "forever"');
  });

  it('list with R2 unreachable: the terminal shows the local backups and the warning, --json the error; exit 1', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const made = odooOps(['backup', '--json'], { CF_R2_ENDPOINT: closed });
    expect(made.status).toBe(1);
    const local = JSON.parse(made.stdout).error.localArchive as string;
    const text = spawnSync(process.execPath, [BIN, 'list'], { cwd: mkdtempSync(join(tmpdir(), 'odoo-ops-cli-')), env: { ...made.env, CF_R2_ENDPOINT: closed } as NodeJS.ProcessEnv, encoding: 'utf8' });
    expect(text.status, text.stderr).toBe(1);
    expect(text.stdout).toContain('warning: r2 could not be listed');
    expect(text.stdout).toContain(local);
    const json = spawnSync(process.execPath, [BIN, 'list', '--json'], { cwd: mkdtempSync(join(tmpdir(), 'odoo-ops-cli-')), env: { ...made.env, CF_R2_ENDPOINT: closed } as NodeJS.ProcessEnv, encoding: 'utf8' });
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ error: { stage: 'list', message: expect.stringMatching(/^r2 could not be listed: /) } });
  });

  it('prune --dry-run --json says what it would delete and deletes nothing', () => {
    const { status, stdout } = odooOps(['prune', '--dry-run', '--json']);
    expect(status).toBe(0);
    const document = JSON.parse(stdout);
    expect(document).toMatchObject({ dryRun: true, kept: null, deleted: [{ location: 'local', names: [] }, { location: 'r2', names: [] }], failures: [] });
  });
});
