import { helpCommand } from '../../commands/help.js';
import { renderHelpText } from './render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';

export const help: CliCommand = {
  name: 'help',
  options: {},
  positionals: 0,
  async run(io) {
    io.stdout.write(renderHelpText(helpCommand('cli')));
    return EXIT.ok;
  },
};
