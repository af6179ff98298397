import { STORE_GRACE_SECONDS } from '../../services/attachment-store/prune-store.js';
import type { DoctorReply } from '../../commands/doctor.js';
import type { HelpReply } from '../../commands/help.js';
import type { ListReply } from '../../commands/list.js';
import type { PruneReply } from '../../commands/prune.js';
import type { RestorePlan } from '../../commands/restore.js';
import type { StatusReply } from '../../commands/status.js';
import type { BackupOutcome } from '../../services/backup/run-backup.js';
import type { RestoreOutcome } from '../../services/restore/run-restore.js';
import type { ArchiveCheck } from '../../services/restore/verify-archive.js';
import type { VerifyOutcome } from '../../services/restore/verify-backup.js';
import { formatBytes, formatDuration, formatTime, previousDataSentence } from '../format.js';
import { containerSummary, statusLines } from '../status-lines.js';

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
    `Backup ${outcome.name} done in ${formatDuration(outcome.durationMs / 1000)}`,
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
  const rule = result.rule === 'gfs' ? 'BACKUP_KEEP_* (grandfather-father-son)' : `backups dated before ${result.cutoff.toISOString()}`;
  const lines = [`Retention: ${rule} ${result.dryRun ? '(dry run, nothing deleted)' : ''}`.trimEnd()];
  // A dry run says, for each backup, which rule keeps it or why it goes.
  if (result.dryRun) for (const d of result.decisions) lines.push(`  ${d.keep ? 'keep' : 'drop'} ${d.name}: ${d.reasons.join(', ')}`);
  for (const { location, names } of result.deleted) {
    lines.push(`  ${location}: ${verb} ${names.length}${names.length ? `: ${names.join(', ')}` : ''}`);
  }
  if (result.protectedName) lines.push(`  kept whatever its age: ${result.protectedName} (the newest backup)`);
  for (const { location, names } of result.futureDated) lines.push(`  ${location}: kept, dated in the future: ${names.join(', ')}`);
  for (const failure of result.failures) lines.push(`  ${failure.location}: FAILED: ${failure.message}`);
  const kept = [...(reply.discarded?.databases ?? []), ...(reply.discarded?.directories ?? [])];
  if (kept.length > 0) lines.push(`  data kept from the last restore: ${result.dryRun ? 'would drop' : 'dropped'} ${kept.join(', ')}`);
  if (reply.store) {
    const s = reply.store;
    lines.push(`  attachment store: ${verb} ${s.deleted.length} of ${s.examined} stored files (${s.referenced} referenced by kept backups and the live data; unreferenced files are kept ${STORE_GRACE_SECONDS / 3600} h)`);
    if (result.dryRun) for (const f of s.deleted) lines.push(`    ${f}`);
  }
  for (const warning of [...result.warnings, ...reply.warnings]) lines.push(`  warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

/** Terminal status report: the verdict, its reasons, then aligned label/value lines. */
export function renderStatusText(reply: StatusReply, timeZone: string): string {
  const s = reply.status;
  const rows: [string, string][] = [];
  if (s.containers.ok) for (const c of s.containers.value) rows.push([`Container ${c.service}`, containerSummary(c)]);
  else rows.push(['Containers', s.containers.reason === 'timeout' ? 'unknown (timeout)' : `unknown (${s.containers.message})`]);
  for (const line of statusLines(s, timeZone)) rows.push([line.label, line.value]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const out = [`Odoo stack: ${s.verdict.toUpperCase()}`];
  for (const reason of s.reasons) out.push(`  - ${reason}`);
  out.push('');
  for (const [label, value] of rows) out.push(`${label.padEnd(width)}  ${value}`);
  out.push('', `Checked ${formatTime(s.checkedAt, timeZone)} ${timeZone}`, '');
  return out.join('\n');
}

/** Terminal backup list: aligned columns, newest first. */
export function renderListText(reply: ListReply, timeZone: string): string {
  const out: string[] = [];
  for (const u of reply.unreachable) out.push(`warning: ${u.location} could not be listed: ${u.message}`);
  if (reply.backups.length === 0) return [...out, 'No backups yet.', ''].join('\n');
  const rows = reply.backups.map((b) => [
    b.name,
    formatTime(b.createdAt, timeZone),
    `${formatDuration((reply.now.getTime() - b.createdAt.getTime()) / 1000)} ago`,
    formatBytes(b.sizeBytes),
    b.locations.join('+'),
  ]);
  const header = ['NAME', `DATE (${timeZone})`, 'AGE', 'SIZE', 'WHERE'];
  // The DRILL column only once a drill passed on a listed backup.
  if (reply.drilled.length > 0) {
    header.push('DRILL');
    reply.backups.forEach((b, i) => rows[i]!.push(reply.drilled.includes(b.name) ? 'passed' : ''));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) out.push(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  return [...out, ''].join('\n');
}

/** Indented `✔`/`✘` lines, one per check of a verification. */
function checkLines(checks: ArchiveCheck[]): string[] {
  return checks.map((c) => `  ${c.ok ? '✔' : '✘'} ${c.check}: ${c.detail}`);
}

/** `odoo-ops restore <name>` without `--yes`: exactly what would happen. */
export function renderRestorePlanText(plan: RestorePlan, timeZone: string): string {
  const { backup, database, options } = plan;
  const taken = plan.takenAt ? `taken ${formatTime(plan.takenAt, timeZone)}, ${formatDuration((plan.now.getTime() - plan.takenAt.getTime()) / 1000)} ago` : '';
  const steps = [
    `check ${backup.name} (${formatBytes(backup.sizeBytes)}, ${taken}, in ${backup.locations.join(' and ')})${backup.localPath ? '' : ', fetched from R2 first'}: member checksums, archives, pg_restore --list; stop here on any mismatch`,
    options.safetyBackup ? `take a safety backup of the current state (a normal backup, kept)` : `no safety backup (--safety-backup takes one; the data Odoo serves until the switch is archived after it anyway)`,
    `restore the dump into a new database beside "${database}" and the filestore beside the live one${options.withAddons ? ', and the addons' : ''}, while Odoo keeps serving`,
    `stop Odoo, rename "${database}" to ${database}_before_<time> and the restored copy to "${database}", swap the filestore${options.withAddons ? ' and addons' : ''}, start Odoo and wait for /web/health (the only downtime); switch back on any failure`,
    `keep the previous database and filestore until the next successful backup`,
  ];
  const lines = [`odoo-ops restore would replace the database "${database}" and its filestore:`, ...steps.map((s, i) => `  ${i + 1}. ${s}`)];
  if (plan.archiveDatabase && plan.archiveDatabase !== database) {
    lines.push(`Note: ${backup.name} is an archive of the database "${plan.archiveDatabase}", not "${database}": its data would replace "${database}".`);
  }
  if (!options.withAddons) lines.push('Addons are left as they are (--with-addons replaces them too).');
  lines.push('Nothing was done. Run again with --yes to restore.');
  return `${lines.join('\n')}\n`;
}

/** The end of `odoo-ops restore --yes` on a terminal. */
export function renderRestoreOutcomeText(outcome: RestoreOutcome): string {
  if (!outcome.ok) {
    const lines = [
      `Restore FAILED at stage ${outcome.error.stage}: ${outcome.error.userMessage}`,
      `Took ${formatDuration(outcome.durationMs / 1000)}; Odoo was down ${outcome.downtimeMs === null ? 'never' : `${(outcome.downtimeMs / 1000).toFixed(1)} s`}.`,
    ];
    if (outcome.checks) lines.push(...checkLines(outcome.checks.filter((c) => !c.ok)));
    if (outcome.liveUntouched) lines.push('The live database, filestore and Odoo were not touched.');
    if (outcome.safetyBackup) lines.push(`Safety backup taken: ${outcome.safetyBackup}`);
    return `${lines.join('\n')}\n`;
  }
  const lines = [
    `Restored ${outcome.name} into "${outcome.database}" in ${formatDuration(outcome.durationMs / 1000)}; Odoo was down ${(outcome.downtimeMs / 1000).toFixed(1)} s`,
    `  verified:      ${outcome.checksummed ? 'every member by checksum' : 'integrity only (old archive without manifest.json)'}`,
    `  safety backup: ${outcome.safetyBackup ?? 'none'}`,
    `  addons:        ${outcome.addonsRestored ? 'restored' : 'left as they were'}`,
  ];
  const previous = previousDataSentence(outcome);
  if (previous) lines.push(`  previous data: ${previous}`);
  for (const warning of outcome.warnings) lines.push(`  warning:       ${warning}`);
  return `${lines.join('\n')}\n`;
}

/** `odoo-ops verify <name>`: one line per check. */
export function renderVerifyText(outcome: VerifyOutcome): string {
  if (!outcome.ok) return `Verify FAILED at stage ${outcome.error.stage}: ${outcome.error.userMessage}\n`;
  const { located, verified } = outcome;
  const verdict = verified.ok ? `${located.name} is good` : `${located.name} is DAMAGED: do not restore it`;
  const warnings = verified.warnings.map((w) => `  warning: ${w}`);
  return `${[`${verdict} (${formatBytes(located.sizeBytes)}, in ${located.locations.join(' and ')})`, ...checkLines(verified.checks), ...warnings].join('\n')}\n`;
}

const CHECK_MARK = { pass: '✔', fail: '✘', skip: '–' } as const;

/** `odoo-ops doctor` on a terminal: one line per check, what to do under each failure or skip, a verdict last. */
export function renderDoctorText(reply: DoctorReply): string {
  const width = Math.max(...reply.checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const check of reply.checks) {
    lines.push(`${CHECK_MARK[check.state]} ${check.name.padEnd(width)}  ${check.state === 'skip' ? 'skipped: ' : ''}${check.detail}`);
    if (check.fix && check.state !== 'pass') lines.push(`  ${' '.repeat(width)}  → ${check.fix}`);
  }
  const failed = reply.checks.filter((c) => c.state === 'fail').length;
  lines.push('', failed === 0 ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`, '');
  return lines.join('\n');
}
