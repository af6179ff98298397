import type { OperationError } from '../services/operation-error.js';

/**
 * What a surface implements to follow one operation a command runs: `started`
 * once the operation holds the lock and is about to run (a chat posts its
 * progress message; awaited, so the first message lands before any progress),
 * `progress` for each step (often throttled: see throttledProgress),
 * `finished` with the pipeline's outcome, success or failure, as a value, and
 * `failed` when the operation did not start at all (another one holds the
 * lock: a BusyError; the bot is stopping: a StoppingError; a bad offer) or
 * crashed. Exactly one of `finished` and `failed` is called, once.
 */
export interface Reporter<Progress, Outcome> {
  started(): Promise<void>;
  progress(progress: Progress): void;
  finished(outcome: Outcome): Promise<void>;
  failed(error: OperationError): Promise<void>;
}

/** A reporter that says nothing, for callers that only want the outcome value. */
export function silentReporter<P, O>(): Reporter<P, O> {
  return { started: async () => {}, progress: () => {}, finished: async () => {}, failed: async () => {} };
}
