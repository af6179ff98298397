import type { RespondArguments } from '@slack/bolt';
import type { Services } from '../../services/services.js';
import type { Logger } from '../logger.js';

/** An ephemeral or in-channel message for the user who asked, through the interaction's response_url. */
export type Reply = (message: RespondArguments) => Promise<void>;

/** Who asked for a backup or a restore, from where, and how to answer them. */
export interface OperationRequest {
  userId: string;
  channelId: string;
  /** Answers in the conversation the request came from (response_url). */
  reply: Reply;
  /** Posts a message with the bot token (chat.postMessage, chat.update), retried after a 429's Retry-After. */
  postMessage(args: { channel: string; text: string; blocks?: unknown[] }): Promise<{ ts?: string }>;
  updateMessage(args: { channel: string; ts: string; text: string; blocks?: unknown[] }): Promise<void>;
  logger: Logger;
}

/** What a backup or restore starter reports once it has begun (or declined). */
export interface OperationOutcome {
  /** True when the operation actually started: it is then announced in SLACK_ALERT_CHANNEL if asked for elsewhere. */
  started: boolean;
}

/** A press on a restore offer's Restore or Cancel button. */
export interface RestorePress extends OperationRequest {
  offerId: string;
  /** The offer's "also restore the addons" checkbox, as it was at the press. */
  withAddons: boolean;
  /** The offer message, updated with the progress and the result. */
  messageTs: string | null;
}

/**
 * What the Slack app needs from the rest of the bot, built by the composition
 * root (src/run-bot.ts). Admin checks, audit and announcements happen in the
 * Slack layer before these are called: a starter is only ever called for an
 * administrator, after the slash command or button was acknowledged.
 */
export interface SlackDeps {
  services: Pick<Services, 'status' | 'backends' | 'settings'>;
  /** Scrubs secrets from every reply (render-replies.ts redactMessage); absent: nothing to scrub. */
  redact?: (text: string) => string;
  /** `/odoo backup` and the "Back up now" button. Reports progress and the result itself through `request`. */
  startBackup(request: OperationRequest): Promise<OperationOutcome>;
  /** `/odoo restore <name>` and the "Restore…" button of `/odoo list`: posts the offer to confirm (starts nothing). */
  startRestore(request: OperationRequest & { name: string }): Promise<OperationOutcome>;
  /** The offer's Restore button: starts the restore, once, before the offer expires. */
  confirmRestore(press: RestorePress): Promise<OperationOutcome>;
  /** The offer's Cancel button. */
  cancelRestore(press: RestorePress): Promise<void>;
}
