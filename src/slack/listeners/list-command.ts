import { listCommand, SLACK_LIST_LIMIT } from '../../../commands/list.js';
import { renderList } from '../render-replies.js';
import type { CommandHandler } from './command-context.js';

/** `/odoo list`: the newest backups with a "Restore…" button each; ack first, listing R2 may take a while. */
export const listHandler: CommandHandler = async ({ ack, respond, deps }) => {
  await ack();
  const reply = await listCommand(deps.services, SLACK_LIST_LIMIT);
  await respond(renderList(reply, deps.services.settings.timeZone));
  return reply.unreachable.length > 0 ? 'partial' : 'ok';
};
