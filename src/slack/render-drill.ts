import type { DrillReply } from '../../commands/drill.js';
import { formatDuration } from '../format.js';
import type { SlackMessage } from './render-backup.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const MARK = { passed: ':white_check_mark:', failed: ':x:', skipped: ':heavy_minus_sign:' } as const;

/**
 * A restore drill's result, for the alert channel: which backup, from where,
 * passed or what failed, the measured restore time (RTO) and every check.
 * A drill that could not run at all (busy, no backup) is an alert too.
 */
export function renderDrillOutcome(reply: DrillReply, trigger: string, redact: (text: string) => string): SlackMessage {
  if (!reply.ok) {
    const text = `:rotating_light: Restore drill (${trigger}) could not run: ${redact(reply.error.userMessage)}. Run \`odoo-ops drill\` on the server to retry.`;
    return { text, blocks: [section(text)] };
  }
  const { result, warnings } = reply;
  const head = result.passed
    ? `:white_check_mark: Restore drill passed (${trigger}): \`${result.backup}\` from ${result.source === 'r2' ? 'R2' : 'local disk'}`
    : `:rotating_light: Restore drill FAILED (${trigger}): \`${result.backup || '(no backup)'}\` at *${result.failure?.stage ?? 'drill'}*: ${redact(result.failure?.message ?? 'unknown')}`;
  const rto = result.restoreMs !== null ? `\nDatabase restored in ${formatDuration(result.restoreMs / 1000)} (RTO).` : '';
  const checks = result.checks.map((c) => `${MARK[c.status]} ${c.name}: ${redact(c.detail)}`).join('\n');
  const warned = warnings.map((w) => `:warning: ${redact(w)}`).join('\n');
  return { text: head, blocks: [section(`${head}${rto}`), ...(checks ? [section(checks)] : []), ...(warned ? [section(warned)] : [])] };
}
