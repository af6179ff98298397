import { WebClient, type RetryOptions } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { SlackMessage } from './render-backup.js';

/** Delivery to a channel, retried with backoff through a Slack outage. */
export interface ChannelNotifier {
  /** Posts to the channel; resolves with the message ts, or null when it could not be delivered (logged). */
  post(message: SlackMessage, about: string): Promise<string | null>;
  update(ts: string, message: SlackMessage, about: string): Promise<void>;
}

/**
 * The Web API client for messages the bot sends on its own (results, alerts,
 * progress): its retries outlast a short Slack outage. Its own log lines are
 * dropped; failures surface as SlackNotifier's "not delivered" errors.
 */
export function createMessagingClient(options: { token: string; apiUrl: string; retries?: RetryOptions }): WebClient {
  return new WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    retryConfig: options.retries ?? ALERT_RETRIES,
    rejectRateLimitedCalls: false,
    logger: SILENT_SLACK_LOGGER,
  });
}

/** A Web API client logger that drops everything: callers report failures themselves. */
export const SILENT_SLACK_LOGGER = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => 'info' as never, setName: () => {} };

/** About 30 minutes of retries with exponential backoff: an alert must outlive a short Slack outage. */
export const ALERT_RETRIES: RetryOptions = { retries: 10, factor: 1.96, minTimeout: 1000, maxTimeout: 5 * 60_000, randomize: true };

/**
 * Posts scheduled results and alerts to SLACK_ALERT_CHANNEL. Rate limits (429)
 * are waited out as Slack's Retry-After says; network and server errors are
 * retried with backoff. What still cannot be delivered is logged as an error
 * with its text, so the alert is never lost silently.
 */
export class SlackNotifier implements ChannelNotifier {
  constructor(
    private readonly client: WebClient,
    readonly channel: string,
    private readonly logger: Logger,
  ) {}

  async post(message: SlackMessage, about: string): Promise<string | null> {
    try {
      const result = await this.client.chat.postMessage({ channel: this.channel, text: message.text, blocks: message.blocks as never });
      return result.ts ?? null;
    } catch (error) {
      this.logger.error({ err: error, channel: this.channel, about, undelivered: message.text }, 'slack message not delivered');
      return null;
    }
  }

  async update(ts: string, message: SlackMessage, about: string): Promise<void> {
    try {
      await this.client.chat.update({ channel: this.channel, ts, text: message.text, blocks: message.blocks as never });
    } catch (error) {
      this.logger.error({ err: error, channel: this.channel, about, undelivered: message.text }, 'slack message not delivered');
    }
  }
}
