import type { App } from '@slack/bolt';
import { helpCommand } from '../../../commands/help.js';
import type { Logger } from '../../logger.js';
import { renderHelp } from '../render-help.js';

/** `/odoo <subcommand>`: dispatches on the first word; help for none or an unknown one. */
export function registerOdooCommand(app: App, logger: Logger): void {
  app.command('/odoo', async ({ command, ack }) => {
    const started = Date.now();
    const [sub = '', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    const known = sub === '' || sub === 'help';
    await ack(renderHelp(helpCommand('slack', known ? undefined : sub)));
    logger.info(
      { user: command.user_id, channel: command.channel_id, command: sub || 'help', args, outcome: known ? 'ok' : 'unknown', durationMs: Date.now() - started },
      'slack command',
    );
  });
}
