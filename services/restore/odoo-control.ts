import { setTimeout as sleep } from 'node:timers/promises';
import { execInContainer } from '../docker/exec-in-container.js';
import type { StackContainers } from '../docker/stack-containers.js';
import { OperationError } from '../operation-error.js';

/** Docker answers 304 to stopping a stopped container or starting a running one: that is success. */
function unlessAlready(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode !== 304) throw error;
}

/**
 * The Odoo container, as a restore needs it: stop and start it (idempotent),
 * wait until `/web/health` passes, and tell which user Odoo runs as.
 */
export class OdooControl {
  constructor(
    private readonly stack: StackContainers,
    private readonly service: string,
    private readonly url: string,
    /** ODOO_STOP_TIMEOUT. */
    private readonly stopTimeoutSeconds: number,
  ) {}

  /**
   * Stops the Odoo container (already stopped is fine) and resolves once it has
   * exited. Docker sends SIGTERM, and Odoo finishes the requests it is serving;
   * after `stopTimeoutSeconds` Docker kills it, cutting whatever is still in
   * flight. Without the bound, a long request held the restore's downtime for
   * the container's own stop timeout (Docker's default 10 s).
   */
  async stop(): Promise<void> {
    await (await this.stack.container(this.service)).stop({ t: this.stopTimeoutSeconds }).catch(unlessAlready);
  }

  /** Starts the Odoo container (already running is fine). */
  async start(): Promise<void> {
    await (await this.stack.container(this.service)).start().catch(unlessAlready);
  }

  /** Resolves once `/web/health` answers 200; throws OperationError(stage) after `timeoutMs`. */
  async waitHealthy(stage: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const url = new URL('/web/health', this.url);
    let last = 'no answer';
    while (Date.now() < deadline) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
        await response.arrayBuffer();
        if (response.status === 200) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(100);
    }
    throw new OperationError(stage, `Odoo did not pass /web/health within ${Math.round(timeoutMs / 1000)} s (last answer: ${last})`);
  }

  /** The uid and gid Odoo's process runs as (`id` in its running container), or null when it is not running. */
  async runsAs(): Promise<{ uid: number; gid: number } | null> {
    let container;
    try {
      container = await this.stack.runningContainer(this.service);
    } catch {
      return null;
    }
    const result = await execInContainer(container, ['sh', '-c', 'echo "$(id -u) $(id -g)"']);
    const [uid, gid] = result.stdout.trim().split(' ').map(Number);
    if (result.exitCode !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid)) return null;
    return { uid: uid!, gid: gid! };
  }
}
