import { listCommand } from '../../commands/list.js';
import { buildServices } from '../build-services.js';
import { listJson } from '../render-json.js';
import { renderListText } from '../render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { configure } from './configure.js';

/** `odoo-ops list [--json]`: every backup, newest first; exit 1 when a store could not be listed. */
export const list: CliCommand = {
  name: 'list',
  options: { json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    const config = configure(io, 'cli');
    if (typeof config === 'number') return config;
    const reply = await listCommand(buildServices(config));
    if (values.json) io.stdout.write(`${JSON.stringify(listJson(reply))}\n`);
    else io.stdout.write(renderListText(reply, config.timeZone));
    for (const u of reply.unreachable) if (values.json) io.stderr.write(`warning: ${u.location} could not be listed: ${u.message}\n`);
    return reply.unreachable.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
