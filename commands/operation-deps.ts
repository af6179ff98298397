import type { Logger } from 'pino';
import { OperationError } from '../services/operation-error.js';
import type { Services } from '../services/services.js';
import type { RunningOperations } from '../src/running-operations.js';

/** What a command that starts a background operation needs, built by the composition root. */
export interface OperationDeps {
  services: Services;
  logger: Logger;
  /** Tracks the operation so that the bot can stop cleanly (see RunningOperations); absent on the terminal. */
  operations?: RunningOperations;
}

/** The bot is stopping: no new operation starts. A surface says "try again in a minute". */
export class StoppingError extends OperationError {
  constructor() {
    super('lock', 'the bot is restarting; try again in a minute');
  }
}
