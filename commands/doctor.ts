import type { CheckResult } from '../services/health/preflight.js';
import type { Services } from '../services/services.js';

export interface DoctorReply {
  kind: 'doctor';
  checks: CheckResult[];
  /** True when no check failed (skipped ones do not count). */
  ok: boolean;
}

/**
 * `doctor`: the preflight an operator runs after editing `.env` (and the
 * container at start). Runs the stack checks of the service layer and any
 * surface-specific ones (`extra`: Slack, checked by src/), all at once, and
 * says whether everything needed to back up works. Changes nothing lasting.
 */
export async function doctorCommand(
  services: Pick<Services, 'preflight'>,
  options: { before?: CheckResult[]; extra?: () => Promise<CheckResult[]> } = {},
): Promise<DoctorReply> {
  const [stack, extra] = await Promise.all([services.preflight.run(), options.extra?.() ?? Promise.resolve([])]);
  const checks = [...(options.before ?? []), ...stack, ...extra];
  return { kind: 'doctor', checks, ok: checks.every((c) => c.state !== 'fail') };
}
