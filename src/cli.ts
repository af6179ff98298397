import { parseArgs } from 'node:util';
import { COMMANDS } from '../commands/catalog.js';
import { helpCommand } from '../commands/help.js';
import { backup } from './cli-commands/backup.js';
import { bot } from './cli-commands/bot.js';
import { doctor } from './cli-commands/doctor.js';
import { EXIT, type CliCommand, type CliIo } from './cli-commands/cli-command.js';
import { help } from './cli-commands/help.js';
import { settleInterruptedSwitch } from './cli-commands/settle-interrupted-switch.js';
import { list } from './cli-commands/list.js';
import { prune } from './cli-commands/prune.js';
import { restore } from './cli-commands/restore.js';
import { status } from './cli-commands/status.js';
import { verify } from './cli-commands/verify.js';
import { renderHelpText } from './render-text.js';

export { EXIT, type CliIo } from './cli-commands/cli-command.js';

/** Every `odoo-ops` subcommand, one module each under cli-commands/. */
const CLI_COMMANDS: readonly CliCommand[] = [help, status, list, backup, restore, verify, prune, doctor, bot];

function badUsage(io: CliIo, message: string): number {
  io.stderr.write(`odoo-ops: ${message}\n\n${renderHelpText(helpCommand('cli'))}`);
  return EXIT.usage;
}

/** Entry of the `odoo-ops` command. Returns the process exit code (0 ok, 1 failed, 2 bad usage or config). */
export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), interactive: process.stderr.isTTY === true },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) return badUsage(io, 'expected a command');
  if (name === '--help' || name === '-h') return help.run(io, {}, []);
  const command = CLI_COMMANDS.find((c) => c.name === name);
  if (command === undefined || !COMMANDS.some((c) => c.name === name && c.cli !== null)) {
    return badUsage(io, `unknown command "${name}"`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    return badUsage(io, (error as Error).message);
  }
  if (parsed.positionals.length > command.positionals) {
    return badUsage(io, `unexpected argument "${parsed.positionals[command.positionals]}" for ${name}`);
  }
  // Any command but help first settles a restore's switch that a killed process left half-done.
  if (command.name !== 'help') await settleInterruptedSwitch(io);
  // No option is declared `multiple`, so every value is a string or a boolean.
  return command.run(io, parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
}
