import { asOperationError, OperationError } from './operation-error.js';

export interface StepOptions {
  /** Cancels the pipeline: checked before the step, and a failure after it fired is reported as cancelled. */
  signal?: AbortSignal;
  /** Says a raw error better (a full disk, say), or null. */
  describe?: (error: unknown) => string | null;
}

/**
 * Runs one named step of a backup or restore pipeline: reports it started and
 * done, and turns any failure into an OperationError of this stage, whatever
 * layer raised it (an OperationError from deeper keeps its user message).
 */
export async function runStep<S extends string, T>(
  stage: S,
  progress: (p: { stage: S; state: 'started' | 'done' }) => void,
  work: () => Promise<T>,
  options: StepOptions = {},
): Promise<T> {
  progress({ stage, state: 'started' });
  try {
    options.signal?.throwIfAborted();
    const result = await work();
    progress({ stage, state: 'done' });
    return result;
  } catch (error) {
    if (options.signal?.aborted) throw new OperationError(stage, `cancelled: ${String(options.signal.reason ?? 'aborted')}`, { cause: error });
    const described = options.describe?.(error);
    if (described) throw new OperationError(stage, described, { cause: error });
    if (error instanceof OperationError && error.stage !== stage) throw new OperationError(stage, error.userMessage, { cause: error });
    throw asOperationError(stage, error);
  }
}
