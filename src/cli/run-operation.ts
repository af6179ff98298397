import { userInfo, hostname } from 'node:os';
import type { Services } from '../../services/services.js';
import { buildServices } from '../build-services.js';
import { createLogger, type Logger } from '../logger.js';
import { createRedactor } from '../redact.js';
import type { CliIo } from './cli-command.js';
import { configure } from './configure.js';

export interface OperationContext {
  services: Services;
  logger: Logger;
  /** Scrubs secrets from any text shown on the terminal. */
  redact: (text: string) => string;
  /** `cli (user@host)`: who started it, for "busy" answers and the audit. */
  actor: string;
}

/** Loads the configuration and builds the services for a CLI operation; a number is the exit code of a bad config. */
export function operationContext(io: CliIo): OperationContext | number {
  const config = configure(io, 'cli');
  if (typeof config === 'number') return config;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container with an arbitrary uid)
  }
  return {
    services: buildServices(config),
    logger: createLogger({ secrets: config.secrets }),
    redact: createRedactor(config.secrets),
    actor: `cli (${user}@${hostname()})`,
  };
}

/** What one CLI command answers: its JSON document, its text, where the text goes, and the exit code. */
export interface CliAnswer {
  json: unknown;
  text: string;
  /** The text is a failure's: it goes to stderr (stdout stays for what scripts parse). */
  toStderr: boolean;
  exit: number;
}

/**
 * The shared life of a CLI operation: load the configuration (exit 2 with its
 * problems when invalid), build the services, run `work`, print its answer
 * as JSON with `--json` or as text, always through the redactor (no secret on
 * the terminal, whatever the command put in its reply), and return the exit code.
 */
export async function runCliOperation(io: CliIo, values: Record<string, unknown>, work: (context: OperationContext) => Promise<CliAnswer>): Promise<number> {
  const context = operationContext(io);
  if (typeof context === 'number') return context;
  const answer = await work(context);
  if (values.json) io.stdout.write(`${context.redact(JSON.stringify(answer.json))}\n`);
  else (answer.toStderr ? io.stderr : io.stdout).write(context.redact(answer.text));
  return answer.exit;
}
