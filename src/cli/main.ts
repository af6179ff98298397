import { parseArgs } from 'node:util';
import { COMMANDS } from '../../commands/catalog.js';
import { backup } from './backup.js';
import { bot } from './bot.js';
import { doctor } from './doctor.js';
import { type CliCommand, type CliIo } from './cli-command.js';
import { exportCli } from './export.js';
import { help } from './help.js';
import { importCli } from './import.js';
import { settleInterruptedSwitch } from './settle-interrupted-switch.js';
import { list } from './list.js';
import { prune } from './prune.js';
import { restore } from './restore.js';
import { status } from './status.js';
import { sync } from './sync.js';
import { usageError } from './usage-error.js';
import { verify } from './verify.js';
import { drill } from './drill.js';
import { printableInput } from '../format.js';

export { EXIT, type CliIo } from './cli-command.js';

/** Every `odoo-ops` subcommand, one module each in this folder. */
const CLI_COMMANDS: readonly CliCommand[] = [help, status, list, backup, restore, importCli, exportCli, verify, drill, prune, sync, doctor, bot];

type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

/**
 * The command's options and arguments, or what is wrong with them. parseArgs
 * runs lax and its tokens are checked here, so that a message names the
 * offending input itself, escaped and cut, rather than Node's wording around a
 * raw copy of it.
 */
function parseCommandLine(command: CliCommand, args: string[]): Parsed | string {
  const { values, positionals, tokens } = parseArgs({ args, options: command.options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(command.options, token.name) ? command.options[token.name] : undefined;
    if (spec === undefined) return `unknown option "${printableInput(token.rawName)}" for ${command.name}`;
    if (spec.type === 'boolean' && token.value !== undefined) return `option ${token.rawName} takes no value`;
    if (spec.type === 'string' && token.value === undefined) return `option ${token.rawName} needs a value`;
  }
  if (positionals.length > command.positionals) return `unexpected argument "${printableInput(positionals[command.positionals]!)}" for ${command.name}`;
  // No option is declared `multiple`, so every value is a string or a boolean.
  return { values: values as Parsed['values'], positionals };
}

/** Entry of the `odoo-ops` command. Returns the process exit code (0 ok, 1 failed, 2 bad usage or config). */
export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), interactive: process.stderr.isTTY === true },
): Promise<number> {
  const [name, ...rest] = argv;
  // Asked for JSON anywhere before `--`: even a usage error then answers with a JSON document.
  const end = argv.indexOf('--');
  const json = (end === -1 ? argv : argv.slice(0, end)).includes('--json');
  if (name === undefined) return usageError(io, { message: 'expected a command', json });
  if (name === '--help' || name === '-h') return help.run(io, {}, []);
  const command = CLI_COMMANDS.find((c) => c.name === name);
  if (command === undefined || !COMMANDS.some((c) => c.name === name && c.cli !== null)) {
    return usageError(io, { message: `unknown command "${printableInput(name)}"`, json });
  }
  const parsed = parseCommandLine(command, rest);
  if (typeof parsed === 'string') return usageError(io, { message: parsed, command: name, json });
  const bad = command.checkUsage?.(parsed.values, parsed.positionals);
  if (bad) return usageError(io, { message: bad, command: name, json });
  // Any command but help first settles a restore's switch that a killed process left half-done.
  if (command.name !== 'help') await settleInterruptedSwitch(io);
  return command.run(io, parsed.values, parsed.positionals);
}
