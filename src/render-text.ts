import type { HelpReply } from '../commands/help.js';
import type { PruneReply } from '../commands/prune.js';
import type { BackupOutcome } from '../services/backup/run-backup.js';
import { formatBytes, formatDuration } from './format.js';

/** Terminal usage text for `odoo-ops help` and for bad usage. */
export function renderHelpText(reply: HelpReply): string {
  const width = Math.max(...reply.entries.map((e) => e.usage.length));
  const lines = reply.entries.map((e) => `  odoo-ops ${e.usage.padEnd(width)}  ${e.summary}`);
  return ['Usage: odoo-ops <command> [options]', '', 'Commands:', ...lines, '', 'Exit codes: 0 success, 1 operation failed, 2 bad usage or bad config.', ''].join('\n');
}

/** The end of `odoo-ops backup` on a terminal. */
export function renderBackupOutcomeText(outcome: BackupOutcome): string {
  if (!outcome.ok) {
    return `Backup FAILED at stage ${outcome.error.stage}: ${outcome.error.userMessage}\n`;
  }
  const lines = [
    `Backup ${outcome.name} done in ${formatDuration(outcome.durationMs)}`,
    `  size:      ${formatBytes(outcome.sizeBytes)}`,
    `  stored in: ${outcome.locations.join(', ')}`,
    `  sha256:    ${outcome.sha256}`,
  ];
  const deleted = outcome.pruned?.deleted.flatMap((d) => d.names.map((n) => `${n} (${d.location})`)) ?? [];
  if (deleted.length > 0) lines.push(`  pruned:    ${deleted.join(', ')}`);
  for (const warning of outcome.warnings) lines.push(`  warning:   ${warning}`);
  return `${lines.join('\n')}\n`;
}

/** `odoo-ops prune` on a terminal. */
export function renderPruneText(reply: PruneReply): string {
  if (!reply.ok) return `Prune FAILED: ${reply.error.userMessage}\n`;
  const { result } = reply;
  const verb = result.dryRun ? 'would delete' : 'deleted';
  const lines = [`Retention: backups dated before ${result.cutoff.toISOString()} ${result.dryRun ? '(dry run, nothing deleted)' : ''}`.trimEnd()];
  for (const { location, names } of result.deleted) {
    lines.push(`  ${location}: ${verb} ${names.length}${names.length ? `: ${names.join(', ')}` : ''}`);
  }
  if (result.protectedName) lines.push(`  kept whatever its age: ${result.protectedName} (the newest backup)`);
  for (const failure of result.failures) lines.push(`  ${failure.location}: FAILED: ${failure.message}`);
  return `${lines.join('\n')}\n`;
}
