import { listCommand } from '../../commands/list.js';
import { listJson } from './render-json.js';
import { renderListText } from './render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { operationContext } from './run-operation.js';

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
    const context = operationContext(io);
    if (typeof context === 'number') return context;
    const { services, redact } = context;
    const reply = await listCommand(services);
    const unreachable = reply.unreachable.map((u) => ({ ...u, message: redact(u.message) }));
    if (values.json) {
      const document =
        unreachable.length > 0
          ? { error: { stage: 'list', message: unreachable.map((u) => `${u.location} could not be listed: ${u.message}`).join('; ') } }
          : listJson(reply);
      io.stdout.write(`${JSON.stringify(document)}\n`);
    } else {
      io.stdout.write(redact(renderListText({ ...reply, unreachable }, services.settings.timeZone)));
    }
    return unreachable.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
