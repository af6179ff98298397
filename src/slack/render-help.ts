import type { HelpReply } from '../../commands/help.js';
import { slackInput } from './render-replies.js';

/** Ephemeral Block Kit usage message for `/odoo help` and unknown subcommands. */
export function renderHelp(reply: HelpReply) {
  const lines = reply.entries.map((e) => `• \`/odoo ${e.usage}\` — ${e.summary}`);
  const intro = reply.unknown !== undefined ? `I don't know \`${slackInput(reply.unknown)}\`. Here is what I can do:` : 'Here is what I can do:';
  return {
    response_type: 'ephemeral' as const,
    text: [intro, ...lines].join('\n'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: intro } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    ],
  };
}
