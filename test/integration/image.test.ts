import { chown, copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { keysUnder } from '../helpers/bucket.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { slackEnv, testbedEnv } from '../helpers/testbed-env.js';
import { waitFor } from '../helpers/wait-for.js';
import { ensureBotBaseImage } from '../testbed/bot-base-image.js';
import { freePort } from '../testbed/free-port.js';
import { runCommand, runToEnd } from '../testbed/run-command.js';
import { SlackStandIn } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const IMAGE = 'odoo-ops-test/bot:ci';
const log = (line: string) => process.stderr.write(`[image] ${line}\n`);

/** `docker <args>` to completion: exit code and separate stdout/stderr (never rejects on a non-zero exit). */
const docker = (args: string[]) => runToEnd('docker', args, { ...process.env, DOCKER_HOST: `unix://${testbed.dockerHost.replace(/^unix:\/\//, '')}` });

/**
 * `docker build -t tag` of the repository with --network host (dockerd runs with
 * --bridge=none; npm's registry is reached through the host). The image an
 * earlier build left under that tag is ours and now untagged: it is removed
 * (the layers the new one shares stay, as the build cache).
 */
async function buildTagged(tag: string, args: string[]): Promise<void> {
  const previous = (await docker(['image', 'inspect', '-f', '{{.Id}}', tag])).out.trim();
  const built = await docker(['build', '--network', 'host', '--force-rm', ...args, '-t', tag, ROOT]);
  if (built.code !== 0) throw new Error(`docker build failed:\n${(built.out + built.err).slice(-3000)}`);
  const current = (await docker(['image', 'inspect', '-f', '{{.Id}}', tag])).out.trim();
  if (previous && previous !== current) await docker(['image', 'rm', previous]);
}

describe('the Docker image, built from the Dockerfile and run against the test bed', () => {
  const slack = new SlackStandIn();
  const socket = testbed.dockerHost.replace(/^unix:\/\//, '');
  let work: string;
  let backupDir: string;
  let addonsDir: string;
  let envFile: string;
  let prefix: string;
  /** `docker run` options shared by every run: host network, the test bed's env, the mounts the compose file gives the bot. */
  let runOptions: string[];

  beforeAll(async () => {
    await slack.start();
    const base = await ensureBotBaseImage(createDockerClient(testbed.dockerHost), log);
    // The build stage is tagged too, so that both images of an earlier build can be removed (see buildTagged).
    await buildTagged(`${IMAGE}-build`, ['--target', 'build', '--build-arg', `BASE_IMAGE=${base}`]);
    await buildTagged(IMAGE, ['--build-arg', `BASE_IMAGE=${base}`]);
    log(`built ${IMAGE}`);

    await seedDatabase(testbed, 20);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 3);
    work = await mkdtemp(join(tmpdir(), 'odoo-ops-image-'));
    backupDir = join(work, 'backup');
    addonsDir = join(work, 'addons');
    await mkdir(join(addonsDir, 'my_module'), { recursive: true });
    await writeFile(join(addonsDir, 'my_module', '__manifest__.py'), "{'name': 'My Module'}\n");
    // The image runs as uid 101 (Odoo's uid), as an operator would prepare ./backup (README: install -d -m 700 -o 101 -g 101).
    await mkdir(backupDir, { mode: 0o700 });
    await chown(backupDir, 101, 101);
    prefix = `image-${Date.now()}/`;
    const env = testbedEnv(testbed, {
      DOCKER_HOST: `unix://${socket}`,
      BACKUP_DIR: backupDir,
      ADDONS_DIR: addonsDir,
      CF_R2_PREFIX: prefix,
      ...slackEnv(slack, 'socket'),
      PORT: String(await freePort()),
    });
    envFile = join(work, 'env');
    await writeFile(envFile, Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const socketGid = (await stat(socket)).gid;
    runOptions = [
      '--network', 'host',
      '--env-file', envFile,
      '--group-add', String(socketGid),
      '-v', `${socket}:${socket}`,
      '-v', `${testbed.stack.odoo.dataDir}:${testbed.stack.odoo.dataDir}:ro`,
      '-v', `${addonsDir}:${addonsDir}:ro`,
      '-v', `${backupDir}:${backupDir}`,
      '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges:true',
    ];
  });
  afterAll(async () => {
    await slack.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('runs as uid 101 with PostgreSQL 15 client tools and a bounded heap', async () => {
    const { code, out } = await docker(['run', '--rm', IMAGE, 'sh', '-c', 'id -u; pg_restore --version; echo "$NODE_OPTIONS"; echo "$MALLOC_MMAP_THRESHOLD_ $MALLOC_TRIM_THRESHOLD_"; node --version']);
    expect(code).toBe(0);
    const [uid, pgRestore, nodeOptions, malloc] = out.trim().split('\n');
    expect(uid).toBe('101');
    expect(pgRestore).toMatch(/^pg_restore \(PostgreSQL\) 15\./);
    expect(nodeOptions).toBe('--max-old-space-size=128 --max-semi-space-size=2');
    expect(malloc).toBe('33554432 33554432');
  });

  it('`odoo-ops doctor` in the container passes every check against the test bed', async () => {
    const { code, out, err } = await docker(['run', '--rm', ...runOptions, IMAGE, 'odoo-ops', 'doctor']);
    expect(code, `${out}\n${err}`).toBe(0);
    for (const name of ['config', 'docker', 'pg_dump', 'pg_restore', 'odoo', 'backup dir', 'R2', 'Slack token', 'Slack channel', 'Slack app token']) {
      expect(out).toMatch(new RegExp(`^✔ ${name}\\s`, 'm'));
    }
  });

  it('`odoo-ops backup` in the container stores the archive in BACKUP_DIR and in the bucket', async () => {
    const { code, out, err } = await docker(['run', '--rm', ...runOptions, IMAGE, 'odoo-ops', 'backup', '--json']);
    expect(code, `${out}\n${err}`).toBe(0);
    const result = JSON.parse(out) as { name: string; locations: string[] };
    expect(result.locations).toEqual(['local', 'r2']);
    expect(await readdir(backupDir)).toEqual([result.name]);
    expect(await keysUnder(testbed, prefix)).toEqual([`${prefix}${result.name}`]);
    // The archive is the operator's: owned by the uid the image runs as.
    expect((await stat(join(backupDir, result.name))).uid).toBe(101);
  });

  it('`odoo-ops restore --yes` in the container (uid 101, no capabilities) restores that backup, files owned by Odoo', async () => {
    const [name] = await readdir(backupDir);
    // As in the compose stack: the Odoo data volume is Odoo's (uid 101) and mounted read-write in the bot.
    await runCommand('chown', ['-R', '101:101', join(testbed.stack.odoo.dataDir, 'filestore')]);
    const dataDir = testbed.stack.odoo.dataDir;
    const options = runOptions.map((o) => (o === `${dataDir}:${dataDir}:ro` ? `${dataDir}:${dataDir}` : o));
    const { code, out, err } = await docker(['run', '--rm', ...options, IMAGE, 'odoo-ops', 'restore', name!, '--yes', '--no-safety-backup', '--json']);
    expect(code, `${out}\n${err}`).toBe(0);
    const result = JSON.parse(out) as { ok: boolean; name: string; downtimeMs: number };
    expect(result).toMatchObject({ ok: true, name });
    expect(result.downtimeMs).toBeGreaterThan(0);
    const filestore = join(dataDir, 'filestore', testbed.stack.db.database);
    expect((await stat(filestore)).uid).toBe(101);
    expect(await fetch(new URL('/web/health', testbed.stack.odoo.url)).then((r) => r.status)).toBe(200);
  });

  it('the bot container turns healthy through its HEALTHCHECK and exits 0 on docker stop', async () => {
    const name = `odoo-ops-image-test-${process.pid}`;
    const started = await docker(['run', '-d', '--name', name, '--health-interval', '1s', ...runOptions, IMAGE]);
    expect(started.code, started.err).toBe(0);
    try {
      const healthy = async () => (await docker(['inspect', '-f', '{{.State.Health.Status}}', name])).out.trim() === 'healthy';
      await waitFor('the bot container to turn healthy', healthy, { timeoutMs: 60_000, intervalMs: 1000 });
      await slack.waitForSocket(10_000);
      const stopped = await docker(['stop', '-t', '60', name]);
      expect(stopped.code).toBe(0);
      const exit = await docker(['inspect', '-f', '{{.State.ExitCode}}', name]);
      expect(exit.out.trim()).toBe('0');
      const logs = await docker(['logs', name]);
      // The container runs the preflight first, then the bot.
      expect(logs.out).toContain('All checks passed.');
      expect(logs.err).toContain('"msg":"bot stopped"');
    } finally {
      await docker(['rm', '-f', name]);
    }
  }, 120_000);

  it('docker-compose.yml is valid for Debian\'s docker-compose, with the .env.example placeholders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-compose-'));
    try {
      await copyFile(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
      await copyFile(join(ROOT, 'Dockerfile'), join(dir, 'Dockerfile'));
      await copyFile(join(ROOT, '.env.example'), join(dir, '.env'));
      await mkdir(join(dir, 'config'));
      await copyFile(join(ROOT, 'config', 'odoo.conf'), join(dir, 'config', 'odoo.conf'));
      const config = await runCommand('docker-compose', ['config'], { cwd: dir });
      expect(config).toContain('odoo-db-data:/var/lib/postgresql/data');
      expect(config).toContain('DOCKER_HOST: tcp://docker-proxy:2375');
      expect(config).toContain('--database=odoo');
      // Only Odoo is published; PostgreSQL and the Docker proxy are not.
      expect(config.match(/published:/g)).toHaveLength(1);
      expect(config).toContain('published: 80');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
