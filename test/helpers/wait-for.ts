import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Generous by default: the deadline only turns a hang into a failure, it is not a target. */
  timeoutMs?: number;
  /** How often the condition is asked again. */
  intervalMs?: number;
}

/**
 * Resolves with the first truthy value `condition` returns, asking again every
 * `intervalMs`; rejects, saying `what` was awaited, once `timeoutMs` has passed.
 * A condition that throws counts as "not yet" (a server still starting).
 */
export async function waitFor<T>(what: string, condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 30_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(condition)
      .catch(() => undefined);
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The JSON log lines in `stderr` (a bot's pino output), other lines skipped. */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr.split('\n').flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as unknown;
      return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}
