import { statusCommand } from '../../../commands/status.js';
import { renderStatus } from '../render-replies.js';
import type { CommandHandler } from './command-context.js';

/** `/odoo status`: ack at once (the probes take up to about 2 s), then answer through response_url. */
export const statusHandler: CommandHandler = async ({ ack, respond, deps }) => {
  await ack();
  const reply = await statusCommand(deps.services);
  await respond(renderStatus(reply, deps.services.settings.timeZone));
  return reply.status.verdict;
};
