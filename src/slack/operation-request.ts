import type { RespondFn, webApi } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { SlackMessage } from './render-backup.js';
import type { OperationOutcome, OperationRequest } from './slack-deps.js';
import type { ChannelNotifier } from './slack-notifier.js';

/** Builds the request handed to startBackup / startRestore from one Slack interaction. */
export function operationRequest(userId: string, channelId: string, respond: RespondFn, client: webApi.WebClient, logger: Logger): OperationRequest {
  return {
    userId,
    channelId,
    reply: async (message) => {
      await respond(message);
    },
    // WebClient waits out a 429's Retry-After and tries again (rejectRateLimitedCalls is off).
    postMessage: async ({ channel, text, blocks }) => {
      const result = await client.chat.postMessage({ channel, text, blocks: blocks as never });
      return { ts: result.ts };
    },
    updateMessage: async ({ channel, ts, text, blocks }) => {
      await client.chat.update({ channel, ts, text, blocks: blocks as never });
    },
    logger,
  };
}

/**
 * Tells SLACK_ALERT_CHANNEL that an operation started from another channel, so
 * the people watching alerts know a backup or restore is running and who asked.
 */
export async function announceIfElsewhere(
  outcome: OperationOutcome,
  request: OperationRequest,
  alertChannel: string,
  what: string,
): Promise<void> {
  if (!outcome.started || request.channelId === alertChannel) return;
  await request.postMessage({ channel: alertChannel, text: `:information_source: <@${request.userId}> started ${what} from <#${request.channelId}>.` });
}

/** Messages in the channel of a request, through the request's own Web API calls. */
export function channelNotifier(request: OperationRequest): ChannelNotifier {
  const undelivered = (error: unknown, about: string, message: SlackMessage) =>
    request.logger.error({ err: error, channel: request.channelId, about, undelivered: message.text }, 'slack message not delivered');
  return {
    post: async (message, about) => {
      try {
        return (await request.postMessage({ channel: request.channelId, ...message })).ts ?? null;
      } catch (error) {
        undelivered(error, about, message);
        return null;
      }
    },
    update: async (ts, message, about) => {
      try {
        await request.updateMessage({ channel: request.channelId, ts, ...message });
      } catch (error) {
        undelivered(error, about, message);
      }
    },
  };
}
