import type Docker from 'dockerode';
import { OperationError } from '../operation-error.js';
import { ownContainerIds } from './own-container-ids.js';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

export interface StackScope {
  /** Compose project to look in (COMPOSE_PROJECT); when undefined it is found, see StackContainers.resolve. */
  composeProject?: string;
  odooService: string;
  dbService: string;
}

/** The compose project whose odoo and db containers are used, and how it was chosen. */
export type ResolvedScope =
  | { source: 'setting'; project: string }
  /** The project of the container odoo-ops itself runs in (`containerName`). */
  | { source: 'own-container'; project: string; containerName: string }
  /** The one project holding the odoo and db containers; null: they carry no project label. */
  | { source: 'only-project'; project: string | null }
  /** Neither odoo nor db has a container anywhere: nothing to choose from yet (not cached). */
  | { source: 'none-found'; project: null };

export interface StackContainersOptions {
  /** Candidate ids of the container this process runs in, most reliable first; default: read from /proc/self. */
  ownContainerIds?: () => Promise<string[]>;
}

export interface ContainerState {
  service: string;
  id: string;
  name: string;
  image: string;
  /** Docker's state: running, exited, paused, restarting… */
  state: string;
  /**
   * From the container's healthcheck; `none` when it has none, and for a
   * stopped container (see isStopped), whose last health Docker keeps but
   * which no longer says anything (a stopped Odoo is not "unhealthy", it is stopped).
   */
  health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  startedAt: string | null;
  restartCount: number;
}

/**
 * Finds the containers of the Odoo stack by their compose labels, so the bot
 * works whatever the containers are named, and never mixes stacks: odoo and db
 * always come from one compose project (see resolve).
 */
export class StackContainers {
  private resolving: Promise<ResolvedScope> | null = null;
  private readonly ownIds: () => Promise<string[]>;

  constructor(
    private readonly docker: Docker,
    readonly scope: StackScope,
    options: StackContainersOptions = {},
  ) {
    this.ownIds = options.ownContainerIds ?? (() => ownContainerIds());
  }

  /**
   * The compose project to use, found once per instance and then cached (a
   * failure or "none found" is not cached, so the next call looks again):
   * COMPOSE_PROJECT when set; else the project label of the container odoo-ops
   * runs in (found through /proc/self and checked with the Docker API); else
   * the one project holding the odoo and db containers. Rejects with
   * OperationError('docker') naming the projects found when odoo or db has
   * containers in several projects, or odoo and db are in different ones.
   * Read-only: lists and inspects containers.
   */
  resolve(): Promise<ResolvedScope> {
    if (!this.resolving) {
      const resolving = this.findScope();
      this.resolving = resolving;
      resolving.then(
        (r) => {
          if (r.source === 'none-found' && this.resolving === resolving) this.resolving = null;
        },
        () => {
          if (this.resolving === resolving) this.resolving = null;
        },
      );
    }
    return this.resolving;
  }

  /** The running-or-not container of `service`. Throws OperationError('docker') when there is none or the scope is ambiguous. */
  async container(service: string): Promise<Docker.Container> {
    const [summary] = await this.summaries(service);
    if (!summary) {
      throw new OperationError('docker', `no container found for compose service "${service}"${describeWhere(await this.resolve())}`);
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
        const health = (isStopped(info.State.Status) ? 'none' : (info.State.Health?.Status ?? 'none')) as ContainerState['health'];
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

  private async summaries(service: string): Promise<Docker.ContainerInfo[]> {
    const scope = await this.resolve();
    const found = (await this.listService(service)).filter((c) => scope.source === 'none-found' || projectOf(c) === scope.project);
    // A running container wins over stopped leftovers of the same service.
    return found.sort((a, b) => Number(b.State === 'running') - Number(a.State === 'running'));
  }

  /** Every container (running or not) labelled with compose service `service`, in the configured project when there is one. */
  private listService(service: string): Promise<Docker.ContainerInfo[]> {
    const labels = [`${COMPOSE_SERVICE_LABEL}=${service}`];
    if (this.scope.composeProject) labels.push(`${COMPOSE_PROJECT_LABEL}=${this.scope.composeProject}`);
    return this.docker.listContainers({ all: true, filters: { label: labels } });
  }

  private async findScope(): Promise<ResolvedScope> {
    if (this.scope.composeProject) return { source: 'setting', project: this.scope.composeProject };
    const own = await this.ownContainer();
    if (own) return own;
    const { odooService, dbService } = this.scope;
    const [odoo, db] = await Promise.all([odooService, dbService].map(async (s) => [...new Set((await this.listService(s)).map(projectOf))].sort(byName)));
    const both = odoo!.filter((p) => db!.includes(p));
    const candidates = (both.length > 0 ? both : [...new Set([...odoo!, ...db!])].sort(byName)).filter((p): p is string => p !== null);
    const fix = candidates.length > 0 ? `set COMPOSE_PROJECT to ${candidates.length === 1 ? `"${candidates[0]}"` : `one of: ${candidates.join(', ')}`}` : 'give the containers of this stack a compose project (start it with docker-compose) and set COMPOSE_PROJECT';
    const several = [[odooService, odoo!] as const, [dbService, db!] as const].filter(([, projects]) => projects.length > 1);
    if (several.length > 0) {
      const found = several.map(([service, projects]) => `"${service}" containers in several compose projects (${projects.map(projectName).join(', ')})`);
      throw new OperationError('docker', `${found.join('; ')}: odoo-ops cannot tell which stack is its own; ${fix}`);
    }
    const [odooProject] = odoo!;
    const [dbProject] = db!;
    if (odoo!.length === 1 && db!.length === 1 && odooProject !== dbProject) {
      throw new OperationError(
        'docker',
        `"${odooService}" is only in compose project ${projectName(odooProject!)} and "${dbService}" only in ${projectName(dbProject!)}: odoo and db must come from one stack; ${fix}, or check ODOO_SERVICE and DB_SERVICE`,
      );
    }
    if (odoo!.length === 0 && db!.length === 0) return { source: 'none-found', project: null };
    return { source: 'only-project', project: (odooProject ?? dbProject)! };
  }

  /** The scope of the compose container odoo-ops runs in, or null outside one (or in a container without compose labels). */
  private async ownContainer(): Promise<ResolvedScope | null> {
    for (const id of await this.ownIds()) {
      let info: Docker.ContainerInspectInfo;
      try {
        info = await this.docker.getContainer(id).inspect();
      } catch (error) {
        // Not a container of this engine (DOCKER_HOST elsewhere, or a host name that only looks like an id).
        if ((error as { statusCode?: number }).statusCode === 404) continue;
        throw error;
      }
      const project = info.Config.Labels?.[COMPOSE_PROJECT_LABEL];
      return project ? { source: 'own-container', project, containerName: info.Name.replace(/^\//, '') } : null;
    }
    return null;
  }
}

/** Docker states of a container that does not run and will not by itself: exited, created (never started) or dead. */
export function isStopped(state: string): boolean {
  return state === 'exited' || state === 'created' || state === 'dead';
}

const projectOf = (c: Docker.ContainerInfo): string | null => c.Labels[COMPOSE_PROJECT_LABEL] ?? null;
const projectName = (p: string | null) => (p === null ? '(no compose project)' : p);
const byName = (a: string | null, b: string | null) => projectName(a).localeCompare(projectName(b));

/** ` in compose project "x"` and how it was chosen, for "not found" messages. */
export function describeWhere(scope: ResolvedScope): string {
  switch (scope.source) {
    case 'setting':
      return ` in compose project "${scope.project}"`;
    case 'own-container':
      return ` in compose project "${scope.project}" (the project of odoo-ops' own container ${scope.containerName}; set COMPOSE_PROJECT to use another)`;
    case 'only-project':
      return scope.project === null ? ' among the containers without a compose project' : ` in compose project "${scope.project}"`;
    case 'none-found':
      return ' in any compose project';
  }
}
