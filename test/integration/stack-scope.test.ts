import { mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, StackContainers } from '../../services/docker/stack-containers.js';
import { OperationError } from '../../services/operation-error.js';
import { keysUnder } from '../helpers/bucket.js';
import { odooStartedAt, snapshotOdoo } from '../helpers/odoo-state.js';
import { psql } from '../helpers/postgres.js';
import { runCli } from '../helpers/run-cli.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { testbedEnv } from '../helpers/testbed-env.js';
import { OWNER_LABEL } from '../testbed/stack.js';
import { runToEnd } from '../testbed/run-command.js';

const testbed = inject('testbed');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `docker <args>` to completion against the test bed's engine (never rejects on a non-zero exit). */
const dockerCli = (args: string[]) => runToEnd('docker', args, { ...process.env, DOCKER_HOST: `unix://${testbed.dockerHost.replace(/^unix:\/\//, '')}` });

const databases = async () => (await psql(testbed, 'SELECT datname FROM pg_database ORDER BY 1', 'postgres')).split('\n').filter(Boolean);

describe('never the wrong stack: odoo and db come from one compose project', () => {
  const docker = createDockerClient(testbed.dockerHost);
  const other = `odoo-ops-scope-other-${process.pid}`;
  const created: Docker.Container[] = [];
  let image: string;
  let cwd: string;
  let backupDir: string;
  let prefix: string;
  /** The test bed's environment without COMPOSE_PROJECT (or with the given one). */
  let env: (overrides?: Record<string, string | undefined>) => Record<string, string | undefined>;

  /** A container created and never started, labelled as compose would label `service` of `project`. */
  const leftover = async (project: string, service: string) => {
    const container = await docker.createContainer({
      Image: image,
      Labels: { [COMPOSE_PROJECT_LABEL]: project, [COMPOSE_SERVICE_LABEL]: service, [OWNER_LABEL]: String(process.pid) },
      HostConfig: { NetworkMode: 'none' },
    });
    created.push(container);
    return container;
  };

  beforeAll(async () => {
    image = (await docker.getContainer(testbed.stack.odoo.container).inspect()).Config.Image;
    // A second stack (staging, say) with its own odoo and db on the same engine.
    await leftover(other, 'odoo');
    await leftover(other, 'db');
    await seedDatabase(testbed, 30);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 2);
    cwd = await mkdtemp(join(tmpdir(), 'odoo-ops-scope-'));
    backupDir = join(cwd, 'backup');
    await mkdir(join(cwd, 'addons'));
    prefix = `scope-${Date.now()}/`;
    env = (overrides = {}) =>
      testbedEnv(testbed, { COMPOSE_PROJECT: undefined, BACKUP_DIR: backupDir, ADDONS_DIR: join(cwd, 'addons'), CF_R2_PREFIX: prefix, ...overrides });
  });
  afterAll(async () => {
    await Promise.all(created.map((c) => c.remove({ force: true })));
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('the services refuse with stage docker, naming both projects and the fix', async () => {
    const stack = new StackContainers(docker, { odooService: 'odoo', dbService: 'db' }, { ownContainerIds: async () => [] });
    const error = await stack.resolve().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OperationError);
    const { stage, userMessage } = error as OperationError;
    expect(stage).toBe('docker');
    expect(userMessage).toMatch(/"odoo" containers in several compose projects \(.*\); "db" containers in several compose projects/);
    expect(userMessage).toContain(other);
    expect(userMessage).toContain(testbed.stack.project);
    expect(userMessage).toMatch(new RegExp(`set COMPOSE_PROJECT to one of: .*${other}`));
    // Every container operation refuses the same way, including the running-container lookup a dump uses.
    await expect(stack.runningContainer('db')).rejects.toThrow(other);
    await expect(stack.list()).rejects.toThrow(testbed.stack.project);
  });

  it('odoo only in one project and db only in another: refused, naming both', async () => {
    const a = `${other}-a`;
    const b = `${other}-b`;
    await leftover(a, 'split-odoo');
    await leftover(b, 'split-db');
    const stack = new StackContainers(docker, { odooService: 'split-odoo', dbService: 'split-db' }, { ownContainerIds: async () => [] });
    await expect(stack.resolve()).rejects.toThrow(new RegExp(`"split-odoo" is only in compose project ${a} and "split-db" only in ${b}: odoo and db must come from one stack; set COMPOSE_PROJECT to one of: ${a}, ${b}`));
    await expect(stack.container('split-db')).rejects.toThrow(OperationError);
  });

  it('odoo and db in exactly one project: that one is used, and said so', async () => {
    const only = `${other}-only`;
    const odoo = await leftover(only, 'solo-odoo');
    await leftover(only, 'solo-db');
    const stack = new StackContainers(docker, { odooService: 'solo-odoo', dbService: 'solo-db' }, { ownContainerIds: async () => [] });
    expect(await stack.resolve()).toEqual({ source: 'only-project', project: only });
    expect((await stack.container('solo-odoo')).id).toBe(odoo.id);
  });

  it('`status` without COMPOSE_PROJECT: down, exit 1, the projects and the fix in its reasons', async () => {
    const { code, out } = await runCli(['status', '--json'], env(), cwd);
    expect(code).toBe(1);
    const doc = JSON.parse(out) as { verdict: string; reasons: string[]; containers: unknown[]; errors: Record<string, string> };
    expect(doc.verdict).toBe('down');
    expect(doc.containers).toEqual([]);
    expect(doc.errors.containers).toContain(other);
    expect(doc.errors.containers).toContain(testbed.stack.project);
    expect(doc.reasons.join('\n')).toContain('set COMPOSE_PROJECT to one of:');
  });

  it('`backup` without COMPOSE_PROJECT: refused (stage docker) naming both projects; no archive anywhere', async () => {
    const { code, out } = await runCli(['backup', '--json'], env(), cwd);
    expect(code).toBe(1);
    const { error } = JSON.parse(out) as { error: { stage: string; message: string } };
    expect(error.stage).toBe('docker');
    expect(error.message).toContain(other);
    expect(error.message).toContain(testbed.stack.project);
    expect(error.message).toContain('set COMPOSE_PROJECT to one of:');
    expect(await readdir(backupDir).catch(() => [])).toEqual([]);
    expect(await keysUnder(testbed, prefix)).toEqual([]);
  });

  it('with COMPOSE_PROJECT set, status and backup work; a restore without it is refused and touches nothing', async () => {
    const scoped = env({ COMPOSE_PROJECT: testbed.stack.project });
    const status = await runCli(['status', '--json'], scoped, cwd);
    const doc = JSON.parse(status.out) as { containers: { service: string; state: string }[] };
    expect(doc.containers.map((c) => [c.service, c.state])).toEqual([
      ['odoo', 'running'],
      ['db', 'running'],
    ]);
    const backup = await runCli(['backup', '--json'], scoped, cwd);
    expect(backup.code, backup.err).toBe(0);
    const { name } = JSON.parse(backup.out) as { name: string };
    expect(await readdir(backupDir)).toEqual([name]);

    // The plan is offered with the project set…
    const plan = await runCli(['restore', name], scoped, cwd);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain('Run again with --yes to restore.');
    // …and refused without it, before anything is touched.
    const before = { data: await snapshotOdoo(testbed), startedAt: await odooStartedAt(testbed), databases: await databases() };
    const refused = await runCli(['restore', name, '--yes', '--json'], env(), cwd);
    expect(refused.code).toBe(1);
    const { error } = JSON.parse(refused.out) as { error: { stage: string; message: string } };
    expect(error.stage).toBe('docker');
    expect(error.message).toContain(other);
    expect(error.message).toContain(testbed.stack.project);
    expect({ data: await snapshotOdoo(testbed), startedAt: await odooStartedAt(testbed), databases: await databases() }).toEqual(before);
    expect(await readdir(backupDir)).toEqual([name]);
  });

  describe('in a container of a compose project, COMPOSE_PROJECT defaults to that project', () => {
    const socket = testbed.dockerHost.replace(/^unix:\/\//, '');
    /**
     * `odoo-ops <args>` from this worktree's dist/ in a container of `project` (service `bot`),
     * on the host network with the Docker socket, with the host's node and no COMPOSE_PROJECT.
     */
    const inContainer = async (project: string, args: string[]) => {
      const modules = await realpath(join(ROOT, 'node_modules'));
      const variables = Object.entries(env({ DOCKER_HOST: `unix://${socket}` })).filter(([, v]) => v !== undefined);
      return dockerCli([
        'run', '--rm', '--network', 'host', '--user', '0', '--entrypoint', '/usr/local/bin/node',
        '--label', `${COMPOSE_PROJECT_LABEL}=${project}`, '--label', `${COMPOSE_SERVICE_LABEL}=bot`, '--label', `${OWNER_LABEL}=${process.pid}`,
        '-v', `${process.execPath}:/usr/local/bin/node:ro`, '-v', `${ROOT}:${ROOT}:ro`, '-v', `${modules}:${modules}:ro`,
        '-v', `${socket}:${socket}`, '-v', `${testbed.stack.odoo.dataDir}:${testbed.stack.odoo.dataDir}:ro`, '-v', `${cwd}:${cwd}`,
        '-w', cwd, ...variables.flatMap(([k, v]) => ['-e', `${k}=${v}`]),
        image, join(ROOT, 'bin', 'odoo-ops.js'), ...args,
      ]);
    };

    it('`status` and `doctor` in the test bed project\'s container use its odoo and db, although another project has some', async () => {
      const status = await inContainer(testbed.stack.project, ['status', '--json']);
      expect(status.code, status.err).toBe(0);
      const doc = JSON.parse(status.out) as { verdict: string; containers: { service: string; state: string }[] };
      expect(doc.containers.map((c) => [c.service, c.state])).toEqual([
        ['odoo', 'running'],
        ['db', 'running'],
      ]);
      const doctor = await inContainer(testbed.stack.project, ['doctor']);
      expect(doctor.out).toMatch(new RegExp(`^✔ docker .*compose project "${testbed.stack.project}" \\(that of odoo-ops' own container `, 'm'));
    }, 60_000);

    it('in the other project\'s container it uses that project\'s containers (created, never started)', async () => {
      const status = await inContainer(other, ['status', '--json']);
      expect(status.code).toBe(1);
      const doc = JSON.parse(status.out) as { verdict: string; containers: { service: string; state: string }[] };
      expect(doc.verdict).toBe('down');
      expect(doc.containers.map((c) => [c.service, c.state])).toEqual([
        ['odoo', 'created'],
        ['db', 'created'],
      ]);
    }, 60_000);
  });
});
