/**
 * A failure of an operation, as a value: which stage failed and what to tell the
 * user. The cause keeps the technical detail for the log. Rendered once, at the
 * edge (Slack or terminal), after secrets are scrubbed.
 */
export class OperationError extends Error {
  constructor(
    readonly stage: string,
    readonly userMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`${stage}: ${userMessage}`, options);
    this.name = 'OperationError';
  }
}

/** Wraps any thrown value as an OperationError of `stage`, keeping one that already is. */
export function asOperationError(stage: string, error: unknown): OperationError {
  if (error instanceof OperationError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OperationError(stage, message, { cause: error });
}
