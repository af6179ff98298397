import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';

export interface AuditEntry {
  /** `slash` for `/odoo …`, `button` for a press on one of our messages. */
  kind: 'slash' | 'button';
  user: string;
  channel: string;
  command: string;
  args: string[];
}

/** What a handler reports for the audit line: ok, refused, unknown, failed… */
export type Outcome = string;

/**
 * Runs one command or button handler and writes its audit line (user, channel,
 * command, arguments, outcome, duration). A handler that throws is logged in
 * full with a short reference id, and `onFailure(ref)` tells the user that id:
 * never a stack trace in Slack, never a silent failure. Never rejects, so one
 * failing command cannot take the bot down.
 */
export async function audited(logger: Logger, entry: AuditEntry, handler: () => Promise<Outcome>, onFailure: (ref: string) => Promise<void>): Promise<void> {
  const started = performance.now();
  let outcome: Outcome;
  let ref: string | undefined;
  try {
    outcome = await handler();
  } catch (error) {
    ref = randomBytes(4).toString('hex');
    outcome = 'failed';
    logger.error({ err: error, ref, ...entry }, 'slack handler failed');
    await onFailure(ref).catch((notifyError: unknown) => logger.error({ err: notifyError, ref }, 'could not tell the user about a failure'));
  }
  logger.info({ ...entry, outcome, ref, durationMs: Math.round(performance.now() - started) }, 'slack command');
}
