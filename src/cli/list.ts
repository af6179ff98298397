import { listCommand } from '../../commands/list.js';
import { listJson } from './render-json.js';
import { renderListText } from './render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { runCliOperation } from './run-operation.js';

/**
 * `odoo-ops list [--json]`: every backup, newest first. When a store cannot be
 * listed the listing is incomplete, so it is a failure (exit 1): the terminal
 * still shows what could be listed, with the warning; `--json` prints DESIGN's
 * `{"error": {"stage", "message"}}`.
 */
export const list: CliCommand = {
  name: 'list',
  options: { json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    return runCliOperation(io, values, async ({ services, redact }) => {
      const reply = await listCommand(services);
      const unreachable = reply.unreachable.map((u) => ({ ...u, message: redact(u.message) }));
      const json =
        unreachable.length > 0 ? { error: { stage: 'list', message: unreachable.map((u) => `${u.location} could not be listed: ${u.message}`).join('; ') } } : listJson(reply);
      return { json, text: renderListText({ ...reply, unreachable }, services.settings.timeZone), toStderr: false, exit: unreachable.length > 0 ? EXIT.failed : EXIT.ok };
    });
  },
};
