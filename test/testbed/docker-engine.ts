import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { createDockerClient } from '../../services/docker/docker-client.js';

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

/** Stops a dockerd this run started (its containers stop with it). */
export async function stopDockerEngine(engine: DockerEngine): Promise<void> {
  if (!engine.startedPid) return;
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
