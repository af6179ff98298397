import { ThrottledUpdates } from '../../commands/throttled-progress.js';
import type { SlackMessage } from './render-backup.js';
import type { ChannelNotifier } from './slack-notifier.js';

/**
 * One channel message kept up to date through the shared throttle
 * (ThrottledUpdates: at most one update per `intervalMs`, the latest wins,
 * `finish` lands last). Without a posted message, updates are dropped and the
 * final state is posted as a new message.
 */
export class ThrottledMessage {
  private ts: string | null = null;
  private readonly updates: ThrottledUpdates<SlackMessage>;

  constructor(
    private readonly notifier: ChannelNotifier,
    private readonly about: string,
    intervalMs = 1000,
  ) {
    this.updates = new ThrottledUpdates((message) => this.notifier.update(this.ts!, message, this.about), intervalMs);
  }

  /** Posts the message; later calls update it. Resolves false when it could not be posted. */
  async start(message: SlackMessage): Promise<boolean> {
    this.ts = await this.notifier.post(message, this.about);
    this.updates.sentNow();
    return this.ts !== null;
  }

  /** Takes over a message already posted (a restore offer) instead of posting one. */
  adopt(ts: string): void {
    this.ts = ts;
    this.updates.sentNow();
  }

  /** Schedules an update; intermediate ones are dropped if they come faster than the interval. */
  update(message: SlackMessage): void {
    if (this.ts !== null) this.updates.update(message);
  }

  /** The final state: replaces any pending update and is sent after any in flight. */
  async finish(message: SlackMessage): Promise<void> {
    if (this.ts === null) {
      await this.notifier.post(message, this.about);
      return;
    }
    await this.updates.finish(message);
  }
}
