import { setTimeout as sleep } from 'node:timers/promises';
import { createDockerClient } from '../../services/docker/docker-client.js';
import type { TestbedInfo } from '../testbed/testbed-info.js';

/** Runs `during` with a stack container stopped, then starts it again and waits until it is healthy. */
export async function withContainerStopped<T>(testbed: TestbedInfo, service: 'db' | 'odoo', during: () => Promise<T>): Promise<T> {
  const docker = createDockerClient(testbed.dockerHost);
  const container = docker.getContainer(testbed.stack[service].container);
  await container.stop({ t: 5 });
  try {
    return await during();
  } finally {
    await container.start();
    for (let i = 0; i < 240; i++) {
      const info = await container.inspect();
      if (info.State.Health?.Status === 'healthy') break;
      await sleep(250);
    }
  }
}
