import { asOperationError, OperationError } from './operation-error.js';

/**
 * Runs one named step of a backup or restore pipeline: reports it started and
 * done, and turns any failure into an OperationError of this stage, whatever
 * layer raised it (an OperationError from deeper keeps its user message).
 * `describe` may first say a raw error better (a full disk, say).
 */
export async function runStep<S extends string, T>(
  stage: S,
  progress: (p: { stage: S; state: 'started' | 'done' }) => void,
  work: () => Promise<T>,
  describe?: (error: unknown) => string | null,
): Promise<T> {
  progress({ stage, state: 'started' });
  try {
    const result = await work();
    progress({ stage, state: 'done' });
    return result;
  } catch (error) {
    const described = describe?.(error);
    if (described) throw new OperationError(stage, described, { cause: error });
    if (error instanceof OperationError && error.stage !== stage) throw new OperationError(stage, error.userMessage, { cause: error });
    throw asOperationError(stage, error);
  }
}
