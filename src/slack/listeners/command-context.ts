import type { RespondArguments, RespondFn, webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { SlackConfig } from '../../config.js';
import type { SlackDeps } from '../slack-deps.js';

/** Everything one `/odoo <sub>` handler gets. The handler must call `ack` first, once. */
export interface CommandContext {
  userId: string;
  channelId: string;
  args: string[];
  /** Acknowledges the command, optionally with the (ephemeral) answer itself. */
  ack(message?: RespondArguments): Promise<void>;
  respond: RespondFn;
  client: webApi.WebClient;
  logger: Logger;
  deps: SlackDeps;
  slack: SlackConfig;
}

/** One `/odoo <sub>` handler; resolves with the outcome for the audit line. */
export type CommandHandler = (ctx: CommandContext) => Promise<string>;
