import type { ParseArgsConfig } from 'node:util';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** Where `.env` is looked for. */
  cwd: string;
  /** Whether stderr is a terminal (progress lines are shown only then). */
  interactive?: boolean;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** One `odoo-ops <name>` subcommand: its options and what it does. Returns the exit code. */
export interface CliCommand {
  name: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes at most. */
  positionals: number;
  /**
   * Checks what parseArgs cannot (e.g. that a name is a backup name) before
   * anything is loaded or settled: a message (user input escaped) for bad usage, else null.
   */
  checkUsage?(values: Record<string, string | boolean | undefined>, positionals: string[]): string | null;
  run(io: CliIo, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}
