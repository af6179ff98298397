import { join } from 'node:path';
import dotenv from 'dotenv';
import { ConfigError, loadConfig, type Config, type ConfigPurpose } from '../config.js';
import { EXIT, type CliIo } from './cli-command.js';

/**
 * Reads `.env` from the working directory (the real environment wins) and
 * validates it. On failure prints every problem, one line each, and returns exit code 2.
 */
export function configure(io: CliIo, purpose: ConfigPurpose): Config | number {
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
