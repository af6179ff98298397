import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { COMPOSE_PROJECT_LABEL } from '../../services/docker/stack-containers.js';

export interface DockerEngine {
  host: string;
  docker: Docker;
  /** Set when this test run started dockerd; teardown stops only what it started. */
  startedPid?: number;
}

async function answers(docker: Docker): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * Uses the Docker engine at DOCKER_HOST (default: the local socket) when it
 * answers; otherwise starts Debian's dockerd without a bridge or iptables rules,
 * so containers can use only the host network (loopback) or none.
 */
export async function ensureDockerEngine(logDir: string, log: (line: string) => void): Promise<DockerEngine> {
  const host = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
  const docker = createDockerClient(host);
  if (await answers(docker)) {
    log(`docker: using the engine at ${host}`);
    return { host, docker };
  }
  if (process.env.DOCKER_HOST && !process.env.DOCKER_HOST.endsWith('/var/run/docker.sock')) {
    throw new Error(`DOCKER_HOST=${host} does not answer; start that engine or unset DOCKER_HOST`);
  }
  mkdirSync(logDir, { recursive: true });
  const out = openSync(`${logDir}/dockerd.log`, 'a');
  log('docker: no engine answers; starting dockerd --bridge=none --iptables=false --ip-masq=false');
  const child = spawn('dockerd', ['--bridge=none', '--iptables=false', '--ip-masq=false'], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start dockerd (${e.message}); run: bash test/install-deps.sh`)));
    child.once('exit', (code) => reject(new Error(`dockerd exited with ${code}; see ${logDir}/dockerd.log`)));
  });
  failed.catch(() => {});
  child.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await Promise.race([sleep(250), failed]);
    if (await answers(docker)) return { host, docker, startedPid: child.pid };
  }
  child.kill();
  throw new Error(`dockerd did not answer within 60 s; see ${logDir}/dockerd.log`);
}

/** A container on the engine, as far as the decision to stop the engine goes. */
export interface EngineContainer {
  name: string;
  /** Its compose project label, or null. */
  project: string | null;
  /** Docker's state: running, exited… */
  state: string;
}

export type EngineStopDecision = { stop: true } | { stop: false; why: string };

/**
 * Whether a dockerd this run started may be stopped, from the engine's
 * container list (all states): only when every container left on it is the
 * test bed's own (compose project `ownProject`). Any other container, even a
 * stopped one (another run may be about to start it again), means someone else
 * uses the engine now: it is left running. Pure.
 */
export function engineStopDecision(containers: readonly EngineContainer[], ownProject: string): EngineStopDecision {
  const others = containers.filter((c) => c.project !== ownProject);
  if (others.length === 0) return { stop: true };
  const named = others.slice(0, 5).map((c) => `${c.name} (${c.state})`);
  const more = others.length > named.length ? ` and ${others.length - named.length} more` : '';
  return { stop: false, why: `${others.length} other container${others.length === 1 ? '' : 's'} on it: ${named.join(', ')}${more}` };
}

/**
 * Stops a dockerd this run started, and only when nothing else uses it: the
 * test bed's own containers (compose project `ownProject`) are removed first,
 * then the engine is stopped only if no other container is left on it (see
 * engineStopDecision); otherwise it is left running and `log` says why. An
 * engine this run did not start is never touched.
 */
export async function stopDockerEngine(engine: DockerEngine, ownProject: string, log: (line: string) => void = () => {}): Promise<void> {
  if (!engine.startedPid) return;
  let containers: Docker.ContainerInfo[];
  try {
    const own = await engine.docker.listContainers({ all: true, filters: { label: [`${COMPOSE_PROJECT_LABEL}=${ownProject}`] } });
    await Promise.all(own.map((c) => engine.docker.getContainer(c.Id).remove({ force: true, v: true })));
    containers = await engine.docker.listContainers({ all: true });
  } catch (error) {
    // An engine that cannot even list its containers is left as it is: it may still be someone's.
    log(`docker: leaving dockerd (pid ${engine.startedPid}) running: cannot list its containers (${(error as Error).message})`);
    return;
  }
  const decision = engineStopDecision(
    containers.map((c) => ({ name: c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12), project: c.Labels[COMPOSE_PROJECT_LABEL] ?? null, state: c.State })),
    ownProject,
  );
  if (!decision.stop) {
    log(`docker: leaving dockerd (pid ${engine.startedPid}) running: ${decision.why}`);
    return;
  }
  try {
    process.kill(engine.startedPid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 120; i++) {
    try {
      process.kill(engine.startedPid, 0);
    } catch {
      return;
    }
    await sleep(250);
  }
}
