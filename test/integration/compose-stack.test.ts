import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL } from '../../services/docker/stack-containers.js';
import { keysUnder } from '../helpers/bucket.js';
import { psql, tableFingerprints } from '../helpers/postgres.js';
import { seedDatabase } from '../helpers/seed-odoo.js';
import { slackEnv } from '../helpers/testbed-env.js';
import { COMPOSE_IMAGES, ensureComposeImages, removeComposeStandIns } from '../testbed/compose-images.js';
import { prepareComposeStack, type ComposeResult, type ComposeStack } from '../testbed/compose-stack.js';
import { freePort } from '../testbed/free-port.js';
import { OWNER_LABEL } from '../testbed/stack.js';
import { SlackStandIn } from '../testbed/slack-stand-in.js';
import { ensureTestImages } from '../testbed/test-images.js';
import type { TestbedInfo } from '../testbed/testbed-info.js';

const testbed = inject('testbed');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVICES = ['db', 'odoo', 'bot', 'docker-proxy'] as const;
const log = (line: string) => process.stderr.write(`[compose-stack] ${line}\n`);

/** Fails with the command's output when it did not exit 0. */
function ok(result: ComposeResult, what: string): string {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${(result.out + result.err).slice(-4000)}`);
  return result.out;
}

/** Each service's one container in `project`, inspected. */
async function containers(docker: Docker, project: string): Promise<Record<string, Docker.ContainerInspectInfo>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE_PROJECT_LABEL}=${project}`] } });
  const out: Record<string, Docker.ContainerInspectInfo> = {};
  for (const c of list) out[c.Labels[COMPOSE_SERVICE_LABEL]!] = await docker.getContainer(c.Id).inspect();
  return out;
}

/** Waits until db, odoo and bot are healthy and the proxy runs; throws with the logs of a container that exited. */
async function waitUntilUp(docker: Docker, stack: ComposeStack): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const found = await containers(docker, stack.project);
    const ready = SERVICES.every((s) => found[s]?.State.Running && (s === 'docker-proxy' || found[s]!.State.Health?.Status === 'healthy'));
    if (ready) return;
    const exited = SERVICES.find((s) => found[s] && !found[s]!.State.Running && !found[s]!.State.Restarting);
    if (exited || Date.now() > deadline) {
      const logs = await stack.compose(['logs', '--no-color', '--tail', '40']);
      throw new Error(`${exited ? `${exited} exited` : 'not up within 180 s'}:\n${(logs.out + logs.err).slice(-6000)}`);
    }
    await sleep(500);
  }
}

describe('docker-compose.yml run for real: stand-in images, host network, the bot behind the socket proxy', () => {
  const docker = createDockerClient(testbed.dockerHost);
  const slack = new SlackStandIn();
  const prefix = `compose-${Date.now()}/`;
  const password = randomBytes(12).toString('hex');
  let stack: ComposeStack;
  /** The compose stack's database, for the psql helpers (they reach it over 127.0.0.1). */
  let db: TestbedInfo;

  /** `docker-compose exec -T <service> <cmd…>` with optional environment. */
  const exec = (service: string, cmd: string[], env: string[] = []) => stack.compose(['exec', '-T', ...env.flatMap((e) => ['-e', e]), service, ...cmd]);
  /** SHA-256 of every file of the filestore of database odoo, as Odoo's container sees it. */
  const filestore = async () => ok(await exec('odoo', ['sh', '-c', 'cd /var/lib/odoo/filestore/odoo && find . -type f | sort | xargs sha256sum']), 'sha256sum');

  beforeAll(async () => {
    await slack.start();
    const images = await ensureTestImages(docker, log);
    const { botBase } = await ensureComposeImages(docker, images, log);
    stack = await prepareComposeStack({
      project: `odoo-ops-compose-${process.pid}`,
      dockerHost: testbed.dockerHost,
      botBaseImage: botBase,
      env: {
        POSTGRES_USER: 'odoo',
        POSTGRES_PASSWORD: password,
        POSTGRES_DB: 'odoo',
        CF_R2_ENDPOINT: testbed.s3.endpoint,
        CF_R2_BUCKET: testbed.s3.bucket,
        CF_R2_ACCESS_KEY_ID: testbed.s3.accessKeyId,
        CF_R2_SECRET_ACCESS_KEY: testbed.s3.secretAccessKey,
        CF_R2_PREFIX: prefix,
        TZ: 'UTC',
        ...slackEnv(slack, 'socket'),
      },
    });
    log(`docker-compose up -d --build (project ${stack.project})`);
    ok(await stack.compose(['up', '-d', '--build']), 'docker-compose up -d --build');
    await waitUntilUp(docker, stack);

    db = { ...testbed, stack: { ...testbed.stack, db: { container: '', port: stack.ports.db, user: 'odoo', password, database: 'odoo' } } };
    // What Odoo's first start would do (command: --database=odoo): the stand-in does not.
    await psql(db, 'CREATE DATABASE odoo', 'postgres');
    await seedDatabase(db, 50);
    ok(
      await exec('odoo', ['sh', '-c', 'for i in 1 2 3; do d=/var/lib/odoo/filestore/odoo/0$i; mkdir -p $d && head -c 70000 /dev/urandom > $d/file$i; done']),
      'seeding the filestore',
    );
  }, 900_000);

  afterAll(async () => {
    await stack?.down();
    await removeComposeStandIns(docker);
    await slack.stop();
    // Nothing of this project is left on the engine.
    if (stack) expect(await docker.listContainers({ all: true, filters: { label: [`${COMPOSE_PROJECT_LABEL}=${stack.project}`] } })).toEqual([]);
  }, 120_000);

  it('brings db, odoo, bot and the proxy up (healthy) from the shipped compose file, on the host network, nothing published', async () => {
    const shipped = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
    for (const image of Object.values(COMPOSE_IMAGES)) expect(shipped).toContain(`image: ${image}`);
    // What the override could not change: the copy run here lacks only these.
    expect(stack.changes).toEqual({
      ports: { odoo: ['"80:8069"'] },
      networks: { db: ['backend'], odoo: ['backend', 'default'], bot: ['backend', 'docker-api', 'default'], 'docker-proxy': ['docker-api'] },
      declared: ['backend', 'docker-api'],
    });
    const found = await containers(docker, stack.project);
    expect(Object.keys(found).sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES) {
      expect(found[service]!.HostConfig.NetworkMode, service).toBe('host');
      expect(found[service]!.HostConfig.PortBindings ?? {}, service).toEqual({});
    }
    expect(found.db!.Config.Image).toBe(COMPOSE_IMAGES.db);
    expect(found.odoo!.Config.Image).toBe(COMPOSE_IMAGES.odoo);
    expect(found['docker-proxy']!.Config.Image).toBe(COMPOSE_IMAGES['docker-proxy']);
    for (const service of ['db', 'odoo', 'bot']) expect(found[service]!.State.Health?.Status, service).toBe('healthy');
    // The production settings of the bot stay: read-only, no capabilities, uid 101, Docker through the proxy.
    expect(found.bot!.HostConfig.ReadonlyRootfs).toBe(true);
    expect(found.bot!.HostConfig.CapDrop).toEqual(['ALL']);
    expect(found.bot!.Config.User).toBe('odoo-ops');
    expect(found.bot!.Config.Env).toContain(`DOCKER_HOST=tcp://127.0.0.1:${stack.ports.proxy}`);
    expect(found.bot!.HostConfig.Binds ?? []).not.toContainEqual(expect.stringContaining('docker.sock'));
    expect(await fetch(`http://127.0.0.1:${stack.ports.odoo}/web/health`).then((r) => r.status)).toBe(200);
  });

  it('the proxy allows what tecnativa/docker-socket-proxy allows with the compose file\'s settings, and answers anything else 403', async () => {
    const requests = [
      ['GET', '/containers/json'],
      ['GET', '/v1.40/containers/json'],
      ['GET', '/_ping'],
      ['GET', '/version'],
      ['GET', '/images/json'],
      ['GET', '/volumes'],
      ['GET', '/networks'],
      ['GET', '/info'],
      ['GET', '/events'],
      ['GET', '/system/df'],
      ['POST', '/images/create?fromImage=busybox'],
      ['POST', '/build'],
    ];
    // From inside the bot, with its own DOCKER_HOST: what the bot (or anyone who took it over) can reach.
    const script = `const base = process.env.DOCKER_HOST.replace('tcp://', 'http://');
      const requests = ${JSON.stringify(requests)};
      const out = {};
      for (const [method, path] of requests) out[method + ' ' + path] = (await fetch(base + path, { method, signal: AbortSignal.timeout(5000) }).then(async (r) => (await r.arrayBuffer(), r.status)));
      console.log(JSON.stringify(out));`;
    const statuses = JSON.parse(ok(await exec('bot', ['node', '--input-type=module', '-e', script]), 'node in the bot')) as Record<string, number>;
    expect(statuses).toEqual({
      'GET /containers/json': 200,
      'GET /v1.40/containers/json': 200,
      'GET /_ping': 200,
      'GET /version': 200,
      'GET /images/json': 403,
      'GET /volumes': 403,
      'GET /networks': 403,
      'GET /info': 403,
      'GET /events': 403,
      'GET /system/df': 403,
      'POST /images/create?fromImage=busybox': 403,
      'POST /build': 403,
    });
  });

  it('`docker-compose exec -T bot odoo-ops backup` works through the proxy: the archive in ./backup and in the bucket', async () => {
    const result = JSON.parse(ok(await exec('bot', ['odoo-ops', 'backup', '--json']), 'odoo-ops backup')) as { name: string; locations: string[] };
    expect(result.locations).toEqual(['local', 'r2']);
    expect(await readdir(join(stack.dir, 'backup'))).toEqual([result.name]);
    expect(await keysUnder(testbed, prefix)).toEqual([`${prefix}${result.name}`]);
  });

  it('`docker-compose exec -T bot odoo-ops restore <name> --yes` brings back the rows and files of that backup, Odoo restarted and healthy', async () => {
    const [name] = (await readdir(join(stack.dir, 'backup'))).filter((f) => f.startsWith('odoo_backup_'));
    const rows = await tableFingerprints(db, 'odoo');
    const files = await filestore();
    const odooStarted = (await containers(docker, stack.project)).odoo!.State.StartedAt;
    // Writes after the backup, which the restore must undo.
    await psql(db, "DELETE FROM ir_attachment WHERE id % 2 = 0; UPDATE res_partner SET name = 'changed'; INSERT INTO res_partner (name) VALUES ('new')");
    ok(await exec('odoo', ['sh', '-c', 'echo later > /var/lib/odoo/filestore/odoo/01/later && rm /var/lib/odoo/filestore/odoo/02/file2']), 'changing the filestore');
    expect(await tableFingerprints(db, 'odoo')).not.toEqual(rows);

    const restored = await exec('bot', ['odoo-ops', 'restore', name!, '--yes', '--json']);
    const result = JSON.parse(ok(restored, 'odoo-ops restore') || `{"empty stdout": ${JSON.stringify(restored.err.slice(-3000))}}`) as { ok: boolean; name: string };
    expect(result).toMatchObject({ ok: true, name });
    expect(await tableFingerprints(db, 'odoo')).toEqual(rows);
    expect(await filestore()).toBe(files);
    // The switch stopped and started Odoo's container through the proxy.
    const odoo = (await containers(docker, stack.project)).odoo!;
    expect(odoo.State.StartedAt).not.toBe(odooStarted);
    expect(odoo.State.Running).toBe(true);
    expect(await fetch(`http://127.0.0.1:${stack.ports.odoo}/web/health`).then((r) => r.status)).toBe(200);
  });

  it('a proxy that does not allow exec: `odoo-ops doctor` says the proxy denied it, naming the request and the settings needed', async () => {
    // The stack's own proxy, as the compose file sets it up, but with EXEC=0 (tecnativa's default).
    const port = await freePort();
    const proxy = (await containers(docker, stack.project))['docker-proxy']!;
    const env = proxy.Config.Env.filter((e) => !/^(EXEC|PROXY_BIND)=/.test(e)).concat('EXEC=0', `PROXY_BIND=127.0.0.1:${port}`);
    const strict = await docker.createContainer({
      Image: proxy.Config.Image,
      Env: env,
      Labels: { [OWNER_LABEL]: String(process.pid) },
      HostConfig: { NetworkMode: 'host', Binds: proxy.HostConfig.Binds, AutoRemove: true },
    });
    await strict.start();
    try {
      let answering = false;
      for (let i = 0; i < 40 && !answering; i++) {
        answering = await fetch(`http://127.0.0.1:${port}/_ping`).then((r) => r.ok, () => false);
        if (!answering) await sleep(250);
      }
      expect(answering).toBe(true);
      const viaStrict = [`DOCKER_HOST=tcp://127.0.0.1:${port}`];

      const doctor = await exec('bot', ['odoo-ops', 'doctor'], viaStrict);
      expect(doctor.code).not.toBe(0);
      expect(doctor.out).toMatch(/^✘ pg_dump\s.*denied by the Docker socket proxy \(HTTP 403\)/m);
      expect(doctor.out).toMatch(/POST \/exec\/[0-9a-f]{64}\/start is not on its allow-list; odoo-ops needs CONTAINERS=1, EXEC=1, POST=1/);
      // The listing itself is allowed: the docker check still finds the stack.
      expect(doctor.out).toMatch(/^✔ docker\s/m);
    } finally {
      await strict.remove({ force: true }).catch(() => {}); // AutoRemove may be at it already
    }
  });
});
