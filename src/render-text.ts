import type { HelpReply } from '../commands/help.js';

/** Terminal usage text for `odoo-ops help` and for bad usage. */
export function renderHelpText(reply: HelpReply): string {
  const width = Math.max(...reply.entries.map((e) => e.usage.length));
  const lines = reply.entries.map((e) => `  odoo-ops ${e.usage.padEnd(width)}  ${e.summary}`);
  return ['Usage: odoo-ops <command> [options]', '', 'Commands:', ...lines, '', 'Exit codes: 0 success, 1 operation failed, 2 bad usage or bad config.', ''].join('\n');
}
