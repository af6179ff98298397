/** What one status probe found: a value, or why it has none. */
export type ProbeResult<T> = { ok: true; value: T } | { ok: false; reason: 'timeout' | 'error' | 'down'; message: string };

/** Thrown by a probe that found its service not running (not merely unanswered): the verdict is then `down`. */
export class ServiceDown extends Error {
  override name = 'ServiceDown';
}

/**
 * Runs `probe` with its own deadline. A probe that hangs (a paused container,
 * an unreachable R2 endpoint) resolves as `{ reason: 'timeout' }` after
 * `timeoutMs` instead of delaying the other probes; one that throws resolves as
 * `{ reason: 'error' }` with the error's message (`'down'` for ServiceDown). Never rejects. The abandoned
 * work is not cancelled (most clients here cannot be), only no longer awaited.
 */
export async function runProbe<T>(probe: () => Promise<T>, timeoutMs: number): Promise<ProbeResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ProbeResult<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: 'timeout', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const attempt = (async (): Promise<ProbeResult<T>> => {
    try {
      return { ok: true, value: await probe() };
    } catch (error) {
      return { ok: false, reason: error instanceof ServiceDown ? 'down' : 'error', message: error instanceof Error ? error.message : String(error) };
    }
  })();
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Rejects with a timeout error when `promise` takes longer than `timeoutMs` (for work inside one probe). */
export async function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export class ProbeTimeout extends Error {
  override name = 'ProbeTimeout';
}
