import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureDockerEngine, stopDockerEngine } from './testbed/docker-engine.js';
import { startS3Server, stopS3Server } from './testbed/s3-server.js';
import { removeStack, startStack } from './testbed/stack.js';
import { ensureTestImages } from './testbed/test-images.js';
import type { TestbedInfo } from './testbed/testbed-info.js';

// One compose project per run, so two runs on one engine never touch each other's stack.
const PROJECT = `odoo-ops-test-${process.pid}`;
const log = (line: string) => process.stderr.write(`[testbed] ${line}\n`);

export interface TestbedOptions {
  /**
   * Interval of the containers' Docker healthchecks. Tests use 0.5 s so the
   * stack is ready quickly; every check spawns a process through runc, which
   * here costs about a third of a core, so benchmarks use the interval of the
   * shipped docker-compose.yml (10 s) to measure on a machine like a user's.
   */
  healthIntervalMs?: number;
  /**
   * Seconds the Odoo stand-in takes to answer after each start. Unset: the
   * stand-in's default, about a real Odoo's (benchmarks); tests use 1 s, still
   * a wait after every switch, at a third of the cost.
   */
  odooBootSeconds?: number;
}

/**
 * Starts the integration test bed: a Docker engine, the db and odoo containers
 * of a compose-labelled stack, and s3rver. Idempotent: it reuses an engine that
 * answers and cached images, and replaces leftovers of an earlier run. The
 * returned teardown stops what it started.
 */
export async function startTestbed(options: TestbedOptions = {}): Promise<{ info: TestbedInfo; teardown: () => Promise<void> }> {
  const workDir = await mkdtemp(join(tmpdir(), 'odoo-ops-testbed-'));
  const engine = await ensureDockerEngine(join(tmpdir(), 'odoo-ops-dockerd'), log);
  process.env.DOCKER_HOST = engine.host.startsWith('/') ? `unix://${engine.host}` : engine.host;
  const images = await ensureTestImages(engine.docker, log);
  const odooDataDir = join(workDir, 'odoo-data');
  await mkdir(join(odooDataDir, 'filestore'), { recursive: true });
  const stack = await startStack(engine.docker, images, {
    project: PROJECT,
    odooDataDir,
    healthIntervalMs: options.healthIntervalMs,
    odooBootSeconds: options.odooBootSeconds,
  });
  const s3 = await startS3Server(join(workDir, 's3'));
  log(`ready: db on 127.0.0.1:${stack.db.port}, odoo on ${stack.odoo.url}, s3 on ${s3.endpoint}`);

  const { process: s3Process, ...s3Info } = s3;
  return {
    info: { dockerHost: engine.host, stack, s3: s3Info, workDir },
    teardown: async () => {
      await stopS3Server({ process: s3Process });
      await removeStack(engine.docker, PROJECT);
      await stopDockerEngine(engine, PROJECT, log);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** vitest's global setup: the test bed once per run, provided to the tests as `testbed`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { info, teardown } = await startTestbed({ odooBootSeconds: 1 });
  project.provide('testbed', info);
  return teardown;
}
