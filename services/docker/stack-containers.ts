import type Docker from 'dockerode';
import { OperationError } from '../operation-error.js';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

export interface StackScope {
  /** Compose project to look in; any project when undefined. */
  composeProject?: string;
  odooService: string;
  dbService: string;
}

export interface ContainerState {
  service: string;
  id: string;
  name: string;
  image: string;
  /** Docker's state: running, exited, paused, restarting… */
  state: string;
  /** From the container's healthcheck; `none` when it has none. */
  health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  startedAt: string | null;
  restartCount: number;
}

/**
 * Finds the containers of the Odoo stack by their compose labels, so the bot
 * works whatever the containers are named.
 */
export class StackContainers {
  constructor(
    private readonly docker: Docker,
    readonly scope: StackScope,
  ) {}

  /** The running-or-not container of `service`. Throws OperationError('docker') when there is none. */
  async container(service: string): Promise<Docker.Container> {
    const [summary] = await this.summaries(service);
    if (!summary) {
      const where = this.scope.composeProject ? ` in compose project "${this.scope.composeProject}"` : '';
      throw new OperationError('docker', `no container found for compose service "${service}"${where}`);
    }
    return this.docker.getContainer(summary.Id);
  }

  /** The container of `service`, which must be running: throws OperationError('docker') saying its state otherwise. */
  async runningContainer(service: string): Promise<Docker.Container> {
    const container = await this.container(service);
    const info = await container.inspect();
    if (!info.State.Running || info.State.Paused) {
      throw new OperationError('docker', `the ${service} container (${info.Name.replace(/^\//, '')}) is ${info.State.Status}, not running`);
    }
    return container;
  }

  /** State and health of the odoo and db containers; a service with no container is left out. */
  async list(): Promise<ContainerState[]> {
    const services = [this.scope.odooService, this.scope.dbService];
    const states = await Promise.all(
      services.map(async (service) => {
        const [summary] = await this.summaries(service);
        if (!summary) return null;
        const info = await this.docker.getContainer(summary.Id).inspect();
        const health = (info.State.Health?.Status ?? 'none') as ContainerState['health'];
        return {
          service,
          id: info.Id,
          name: info.Name.replace(/^\//, ''),
          image: info.Config.Image,
          state: info.State.Status,
          health,
          startedAt: info.State.Running ? info.State.StartedAt : null,
          restartCount: info.RestartCount,
        } satisfies ContainerState;
      }),
    );
    return states.filter((s): s is ContainerState => s !== null);
  }

  /** The compose projects that have a container (running or not) for `service`, within the scope. */
  async projectsOf(service: string): Promise<string[]> {
    const projects = (await this.summaries(service)).map((c) => c.Labels[COMPOSE_PROJECT_LABEL] ?? '(none)');
    return [...new Set(projects)].sort();
  }

  private async summaries(service: string): Promise<Docker.ContainerInfo[]> {
    const labels = [`${COMPOSE_SERVICE_LABEL}=${service}`];
    if (this.scope.composeProject) labels.push(`${COMPOSE_PROJECT_LABEL}=${this.scope.composeProject}`);
    const found = await this.docker.listContainers({ all: true, filters: { label: labels } });
    // A running container wins over stopped leftovers of the same service.
    return found.sort((a, b) => Number(b.State === 'running') - Number(a.State === 'running'));
  }
}
