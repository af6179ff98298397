import { statusCommand } from '../../commands/status.js';
import { buildServices } from '../build-services.js';
import { statusJson } from './render-json.js';
import { renderStatusText } from './render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { configure } from './configure.js';

/** `odoo-ops status [--json]`: exit 0 when healthy or degraded, 1 when down (usable from monitoring). */
export const status: CliCommand = {
  name: 'status',
  options: { json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    const config = configure(io, 'cli');
    if (typeof config === 'number') return config;
    const reply = await statusCommand(buildServices(config));
    if (values.json) io.stdout.write(`${JSON.stringify(statusJson(reply))}\n`);
    else io.stdout.write(renderStatusText(reply, config.timeZone));
    return reply.status.verdict === 'down' ? EXIT.failed : EXIT.ok;
  },
};
