/** The clock and timer a throttle uses; injectable so that tests need no real time. */
export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: ThrottleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * One message kept up to date through `send` (a chat's message edit, a
 * terminal line): updates go out at most once per `intervalMs` (Slack allows
 * about one message a second per channel, and Discord a few), the latest wins,
 * sends never overlap, and `finish` always lands last. Shared by every surface's
 * reporter. Hand-written: the npm throttles (lodash.throttle, p-throttle) do
 * not chain sends nor give a "final update lands last" guarantee.
 */
export class ThrottledUpdates<M> {
  private pending: M | null = null;
  private timer: unknown = null;
  private lastSent: number;
  private inFlight: Promise<void> = Promise.resolve();
  private done = false;

  constructor(
    private readonly send: (message: M) => Promise<void>,
    private readonly intervalMs = 1000,
    private readonly clock: ThrottleClock = SYSTEM_CLOCK,
  ) {
    this.lastSent = clock.now();
  }

  /** Counts a message sent outside (the first post, an adopted offer) toward the interval. */
  sentNow(): void {
    this.lastSent = this.clock.now();
  }

  /** Schedules an update; intermediate ones are dropped if they come faster than the interval. */
  update(message: M): void {
    if (this.done) return;
    this.pending = message;
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastSent + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  /** The final state: replaces any pending update and is sent after any in flight, the interval respected. */
  async finish(message: M): Promise<void> {
    this.done = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    await this.inFlight;
    const wait = Math.max(0, this.lastSent + this.intervalMs - this.clock.now());
    if (wait > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, wait));
    this.lastSent = this.clock.now();
    await this.send(message);
  }

  private flush(): void {
    const message = this.pending;
    if (message === null) return;
    this.pending = null;
    this.lastSent = this.clock.now();
    this.inFlight = this.inFlight.then(() => this.send(message));
  }
}
