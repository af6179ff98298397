import { statusCommand } from '../../commands/status.js';
import { statusJson } from './render-json.js';
import { renderStatusText } from './render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { runCliOperation } from './run-operation.js';

/** `odoo-ops status [--json]`: exit 0 when healthy or degraded, 1 when down (usable from monitoring). */
export const status: CliCommand = {
  name: 'status',
  options: { json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    return runCliOperation(io, values, async ({ services }) => {
      const reply = await statusCommand(services);
      return { json: statusJson(reply), text: renderStatusText(reply, services.settings.timeZone), toStderr: false, exit: reply.status.verdict === 'down' ? EXIT.failed : EXIT.ok };
    });
  },
};
