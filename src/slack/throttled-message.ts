import type { SlackMessage } from './render-backup.js';
import type { ChannelNotifier } from './slack-notifier.js';

/**
 * One channel message kept up to date: updates are sent at most once per
 * `intervalMs` (Slack allows about one message a second per channel), the
 * latest text wins, and `finish` always lands last.
 */
export class ThrottledMessage {
  private ts: string | null = null;
  private pending: SlackMessage | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastSent = 0;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly notifier: ChannelNotifier,
    private readonly about: string,
    private readonly intervalMs = 1000,
  ) {}

  /** Posts the message; later calls update it. Resolves false when it could not be posted. */
  async start(message: SlackMessage): Promise<boolean> {
    this.ts = await this.notifier.post(message, this.about);
    this.lastSent = Date.now();
    return this.ts !== null;
  }

  /** Takes over a message already posted (a restore offer) instead of posting one. */
  adopt(ts: string): void {
    this.ts = ts;
    this.lastSent = Date.now();
  }

  /** Schedules an update; intermediate ones are dropped if they come faster than the interval. */
  update(message: SlackMessage): void {
    if (this.ts === null) return;
    this.pending = message;
    if (this.timer) return;
    const wait = Math.max(0, this.lastSent + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  /** The final state: replaces any pending update and is sent after any in flight. */
  async finish(message: SlackMessage): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    await this.inFlight;
    if (this.ts === null) {
      await this.notifier.post(message, this.about);
      return;
    }
    const wait = Math.max(0, this.lastSent + this.intervalMs - Date.now());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await this.notifier.update(this.ts, message, this.about);
  }

  private flush(): void {
    const message = this.pending;
    if (!message || this.ts === null) return;
    this.pending = null;
    this.lastSent = Date.now();
    const ts = this.ts;
    this.inFlight = this.inFlight.then(() => this.notifier.update(ts, message, this.about));
  }
}
