import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';

/** Waits until the container runs and, when it has a healthcheck, reports healthy. */
export async function waitHealthy(container: Docker.Container, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await container.inspect();
    const health = info.State.Health?.Status;
    if (info.State.Running && !info.State.Paused && (health === undefined || health === 'healthy')) return;
    if (Date.now() > deadline) throw new Error(`container ${info.Name} not healthy after ${timeoutMs} ms (${info.State.Status}, ${health})`);
    await sleep(200);
  }
}

/**
 * Runs `body` with the container stopped, then starts it again and waits until
 * it is healthy, whatever `body` did: the stack is shared by the test files of a run.
 */
export async function withStopped<T>(container: Docker.Container, body: () => Promise<T>): Promise<T> {
  await container.stop({ t: 1 }).catch((e: { statusCode?: number }) => {
    if (e.statusCode !== 304) throw e;
  });
  try {
    return await body();
  } finally {
    await container.start().catch((e: { statusCode?: number }) => {
      if (e.statusCode !== 304) throw e;
    });
    await waitHealthy(container);
  }
}

/** Runs `body` with the container paused (its processes frozen), then unpauses it. */
export async function withPaused<T>(container: Docker.Container, body: () => Promise<T>): Promise<T> {
  await container.pause();
  try {
    return await body();
  } finally {
    await container.unpause();
    await waitHealthy(container);
  }
}
