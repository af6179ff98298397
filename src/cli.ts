import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import dotenv from 'dotenv';
import { COMMANDS } from '../commands/catalog.js';
import { helpCommand } from '../commands/help.js';
import { ConfigError, loadConfig, type Config, type ConfigPurpose } from './config.js';
import { createLogger } from './logger.js';
import { renderHelpText } from './render-text.js';
import { runBot } from './run-bot.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** Where `.env` is looked for. */
  cwd: string;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

interface CliCommand {
  options: ParseArgsConfig['options'];
  positionals: number;
  run(io: CliIo, values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

const usage = () => renderHelpText(helpCommand('cli'));

/** Reads `.env` (without overriding the real environment) and validates it; prints every problem on failure. */
function configure(io: CliIo, purpose: ConfigPurpose): Config | number {
  const env = { ...io.env };
  dotenv.config({ path: join(io.cwd, '.env'), processEnv: env as dotenv.DotenvPopulateInput, quiet: true });
  try {
    return loadConfig(env, purpose);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(error.problems.map((line) => `${line}\n`).join(''));
    return EXIT.usage;
  }
}

const CLI_COMMANDS: Record<string, CliCommand> = {
  help: {
    options: {},
    positionals: 0,
    async run(io) {
      io.stdout.write(usage());
      return EXIT.ok;
    },
  },
  bot: {
    options: {},
    positionals: 0,
    async run(io) {
      const config = configure(io, 'bot');
      if (typeof config === 'number') return config;
      const logger = createLogger({ secrets: config.secrets });
      // loadConfig('bot') guarantees the Slack settings.
      return runBot(config as Config & { slack: NonNullable<Config['slack']> }, logger);
    },
  },
};

function badUsage(io: CliIo, message: string): number {
  io.stderr.write(`odoo-ops: ${message}\n\n${usage()}`);
  return EXIT.usage;
}

/** Entry of the `odoo-ops` command. Returns the process exit code (0 ok, 1 failed, 2 bad usage or config). */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) return badUsage(io, 'expected a command');
  if (name === '--help' || name === '-h') return CLI_COMMANDS.help!.run(io, {}, []);
  const command = CLI_COMMANDS[name];
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
  return command.run(io, parsed.values, parsed.positionals);
}
