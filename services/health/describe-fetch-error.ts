/**
 * Why a `fetch` failed, naming the cause rather than undici's bare "fetch
 * failed": `connect ECONNREFUSED 127.0.0.1:8069`, `getaddrinfo ENOTFOUND odoo`,
 * `other side closed (UND_ERR_SOCKET)`, or `no answer within 2 s (timeout)` for
 * an aborted or timed-out request. Each address tried (IPv6 and IPv4 of
 * `localhost`) is named. Pure; shared by `status` and `doctor` so both say the same.
 */
export function describeFetchError(error: unknown, timeoutMs?: number): string {
  const e = error as { name?: string; message?: string; cause?: unknown } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return timeoutMs === undefined ? 'no answer in time (timeout)' : `no answer within ${formatSeconds(timeoutMs)} (timeout)`;
  }
  const cause = e?.cause;
  // Several addresses tried (happy eyeballs): each one failed on its own.
  const causes = cause instanceof AggregateError && cause.errors.length > 0 ? cause.errors : cause ? [cause] : [];
  const described = [...new Set(causes.map(describeCause).filter((d) => d !== ''))];
  if (described.length > 0) return described.join('; ');
  return e?.message || String(error);
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return typeof cause === 'string' ? cause : '';
  const code = (cause as NodeJS.ErrnoException).code;
  if (!cause.message) return code ?? '';
  return code && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
}

const formatSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
