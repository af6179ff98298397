import type { App, RespondArguments } from '@slack/bolt';
import { helpCommand } from '../../../commands/help.js';
import type { SlackConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { audited } from '../audit.js';
import { renderHelp } from '../render-help.js';
import { redactMessage, renderFailure } from '../render-replies.js';
import type { SlackDeps } from '../slack-deps.js';
import { backupHandler } from './backup-command.js';
import type { CommandHandler } from './command-context.js';
import { listHandler } from './list-command.js';
import { restoreHandler } from './restore-command.js';
import { statusHandler } from './status-command.js';

const HANDLERS: Record<string, CommandHandler> = {
  status: statusHandler,
  list: listHandler,
  backup: backupHandler,
  restore: restoreHandler,
  help: async ({ ack }) => {
    await ack(renderHelp(helpCommand('slack')));
    return 'ok';
  },
};

/**
 * `/odoo <subcommand>`: dispatches on the first word (help for none or an
 * unknown one), audits every call, and turns a failing handler into an
 * ephemeral message with a reference id.
 */
export function registerOdooCommand(app: App, slack: SlackConfig, deps: SlackDeps, logger: Logger): void {
  const redact = deps.redact ?? ((text: string) => text);
  app.command('/odoo', async ({ command, ack, respond: rawRespond, client }) => {
    const respond = ((message: string | RespondArguments) => rawRespond(redactMessage(message, redact) as never)) as typeof rawRespond;
    const [sub = '', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    const handler = Object.hasOwn(HANDLERS, sub) ? HANDLERS[sub]! : undefined;
    let acked = false;
    const ackOnce = async (message?: RespondArguments) => {
      if (acked) return;
      acked = true;
      await ack(redactMessage(message, redact) as never);
    };
    await audited(
      logger,
      { kind: 'slash', user: command.user_id, channel: command.channel_id, command: sub || 'help', args },
      async () => {
        if (!handler) {
          await ackOnce(renderHelp(helpCommand('slack', sub === '' ? undefined : sub)));
          return sub === '' ? 'ok' : 'unknown';
        }
        return handler({ userId: command.user_id, channelId: command.channel_id, args, ack: ackOnce, respond, client, logger, deps, slack });
      },
      async (ref) => {
        // Not yet acknowledged: the ack carries the notice; otherwise it goes through response_url.
        if (!acked) await ackOnce(renderFailure(ref));
        else await respond(renderFailure(ref));
      },
    );
  });
}
