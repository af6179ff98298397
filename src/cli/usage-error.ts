import { helpCommand } from '../../commands/help.js';
import { renderHelpText } from './render-text.js';
import { EXIT, type CliIo } from './cli-command.js';

/**
 * Reports bad usage of `odoo-ops` and returns exit code 2. Always one line on
 * stderr (`odoo-ops <command>: <message>`); then the usage text on stderr, or
 * with `--json` DESIGN's `{"error": {"stage": "usage", "message"}}` on stdout
 * instead, so a script gets exactly one JSON document. Nothing is logged: bad
 * usage is the user's to fix, not an operation that failed. `message` must
 * already show any user input through printableInput.
 */
export function usageError(io: CliIo, input: { message: string; command?: string; json: boolean }): number {
  const prefix = input.command ? `odoo-ops ${input.command}` : 'odoo-ops';
  io.stderr.write(`${prefix}: ${input.message}\n`);
  if (input.json) io.stdout.write(`${JSON.stringify({ error: { stage: 'usage', message: input.message } })}\n`);
  else io.stderr.write(`\n${renderHelpText(helpCommand('cli'))}`);
  return EXIT.usage;
}
