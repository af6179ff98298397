import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL } from '../../services/docker/stack-containers.js';
import { freePort } from './free-port.js';
import type { TestImages } from './test-images.js';

export interface TestStack {
  project: string;
  db: { container: string; port: number; user: string; password: string; database: string };
  odoo: { container: string; port: number; url: string; dataDir: string };
}

const SECOND = 1_000_000_000;
/** Marks test containers with the pid of the run that owns them. */
export const OWNER_LABEL = 'odoo-ops.test-owner-pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes every container of a test compose project. */
export async function removeStack(docker: Docker, project: string): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE_PROJECT_LABEL}=${project}`] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
}

/** Removes test containers left by runs that died; those of runs still going are left alone. */
export async function removeStaleStacks(docker: Docker): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: [OWNER_LABEL] } });
  const stale = containers.filter((c) => !alive(Number(c.Labels[OWNER_LABEL])));
  await Promise.all(stale.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
}

async function waitHealthy(docker: Docker, id: string, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const info = await docker.getContainer(id).inspect();
    if (info.State.Health?.Status === 'healthy') return;
    if (!info.State.Running) {
      const logs = await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 30 });
      throw new Error(`${what} container exited (${info.State.ExitCode}): ${logs.toString('utf8')}`);
    }
    if (Date.now() > deadline) throw new Error(`${what} container not healthy within 90 s`);
    await sleep(250);
  }
}

/**
 * Starts the stack a compose file would start, labelled like compose does:
 * `db` (PostgreSQL 15, healthcheck pg_isready) and `odoo` (the stand-in answering
 * /web/health, with the Odoo data dir bind-mounted at /var/lib/odoo). Both use
 * the host network and listen on free loopback ports only. `odooBootSeconds`
 * sets how long the stand-in takes to answer after a start (its own default,
 * about a real Odoo's, when unset).
 */
export async function startStack(
  docker: Docker,
  images: TestImages,
  options: { project: string; odooDataDir: string; healthIntervalMs?: number; odooBootSeconds?: number },
): Promise<TestStack> {
  const { project } = options;
  const healthInterval = (options.healthIntervalMs ?? 500) * (SECOND / 1000);
  await removeStaleStacks(docker);
  await removeStack(docker, project);
  const owner = { [OWNER_LABEL]: String(process.pid) };
  const [dbPort, odooPort] = [await freePort(), await freePort()];
  const db = { user: 'odoo', password: randomBytes(12).toString('hex'), database: 'odoo' };

  const dbContainer = await docker.createContainer({
    name: `${project}-db-1`,
    Image: images.postgres,
    Cmd: ['postgres', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    StopSignal: 'SIGINT',
    Env: [`POSTGRES_USER=${db.user}`, `POSTGRES_PASSWORD=${db.password}`, `POSTGRES_DB=${db.database}`, `PGPORT=${dbPort}`],
    Labels: { [COMPOSE_PROJECT_LABEL]: project, [COMPOSE_SERVICE_LABEL]: 'db', ...owner },
    Healthcheck: {
      Test: ['CMD-SHELL', 'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
      Interval: healthInterval,
      Timeout: 5 * SECOND,
      Retries: 3,
      StartPeriod: 60 * SECOND,
    },
    HostConfig: { NetworkMode: 'host' },
  });
  // Runs as uid 101, the user of the odoo:17 image, like the real container.
  const odooContainer = await docker.createContainer({
    name: `${project}-odoo-1`,
    Image: images.odooStandIn,
    User: '101:101',
    Env: [
      `ODOO_HTTP_PORT=${odooPort}`,
      `ODOO_STANDIN_DATABASE=${db.database}`,
      ...(options.odooBootSeconds === undefined ? [] : [`ODOO_STANDIN_BOOT_SECONDS=${options.odooBootSeconds}`]),
    ],
    Labels: { [COMPOSE_PROJECT_LABEL]: project, [COMPOSE_SERVICE_LABEL]: 'odoo', ...owner },
    Healthcheck: {
      Test: ['CMD-SHELL', `busybox wget -q -O /dev/null http://127.0.0.1:${odooPort}/web/health`],
      Interval: healthInterval,
      Timeout: 5 * SECOND,
      Retries: 3,
      // Failures while it boots (it listens after ODOO_STANDIN_BOOT_SECONDS) do not make it unhealthy.
      StartPeriod: 60 * SECOND,
    },
    HostConfig: { NetworkMode: 'host', Binds: [`${options.odooDataDir}:/var/lib/odoo`] },
  });
  await Promise.all([dbContainer.start(), odooContainer.start()]);
  await Promise.all([waitHealthy(docker, dbContainer.id, 'db'), waitHealthy(docker, odooContainer.id, 'odoo')]);
  return {
    project,
    db: { container: dbContainer.id, port: dbPort, ...db },
    odoo: { container: odooContainer.id, port: odooPort, url: `http://127.0.0.1:${odooPort}`, dataDir: options.odooDataDir },
  };
}
