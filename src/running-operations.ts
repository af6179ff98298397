import { setTimeout as sleep } from 'node:timers/promises';

/** How stopping went: every operation ended on its own, or some were cancelled. */
export interface DrainResult {
  /** Operations that finished within the grace period. */
  finished: number;
  /** Operations cancelled through their signal after the grace period. */
  cancelled: number;
  /** Operations still running when `drain` gave up waiting (should be 0). */
  abandoned: number;
}

/**
 * The long operations (backups) the bot runs in the background, so that it can
 * stop cleanly: `drain` refuses new ones, waits for the running ones for a grace
 * period, then cancels the rest through their AbortSignal and waits for their
 * cleanup, and longer for one inside a critical step. No side effect of its own.
 */
export class RunningOperations {
  private readonly running = new Set<Promise<unknown>>();
  /** Operations now in a step that must not be cut short (a restore's switch). */
  private readonly critical = new Set<symbol>();
  private readonly controller = new AbortController();
  private stopping = false;

  /** Whether `drain` was called: new operations are refused. */
  get closed(): boolean {
    return this.stopping;
  }

  get size(): number {
    return this.running.size;
  }

  /**
   * Runs `work` with the shared cancel signal and tracks it until it settles.
   * `work` calls `critical(true)` when it enters a step that must run to its
   * end whatever happens (a restore's switch and rollback) and `critical(false)`
   * after: drain then waits for it beyond the cleanup period. Returns null
   * without running it once the bot is stopping.
   */
  run<T>(work: (signal: AbortSignal, critical: (inside: boolean) => void) => Promise<T>): Promise<T> | null {
    if (this.stopping) return null;
    const id = Symbol('operation');
    const promise = work(this.controller.signal, (inside) => (inside ? this.critical.add(id) : this.critical.delete(id)));
    const tracked = promise.then(
      () => undefined,
      () => undefined,
    );
    void tracked.then(() => this.critical.delete(id));
    this.running.add(tracked);
    void tracked.then(() => this.running.delete(tracked));
    return promise;
  }

  /**
   * Stops taking operations, waits up to `graceMs` for the running ones, then
   * cancels those left with `reason` and waits up to `cleanupMs` more for them
   * to clean up (remove partial files, abort uploads, post their result).
   */
  async drain(options: { graceMs: number; cleanupMs: number; criticalMs?: number; reason: string }): Promise<DrainResult> {
    this.stopping = true;
    const before = this.running.size;
    if (before === 0) return { finished: 0, cancelled: 0, abandoned: 0 };
    await this.settled(options.graceMs);
    const left = this.running.size;
    if (left === 0) return { finished: before, cancelled: 0, abandoned: 0 };
    this.controller.abort(options.reason);
    await this.settled(options.cleanupMs);
    // A switch in progress is never abandoned half-way while it can still end.
    if (this.critical.size > 0 && options.criticalMs) await this.settled(options.criticalMs);
    return { finished: before - left, cancelled: left - this.running.size, abandoned: this.running.size };
  }

  private async settled(timeoutMs: number): Promise<void> {
    const timer = new AbortController();
    await Promise.race([Promise.all([...this.running]), sleep(timeoutMs, undefined, { signal: timer.signal }).catch(() => undefined)]);
    timer.abort();
  }
}
