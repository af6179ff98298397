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
