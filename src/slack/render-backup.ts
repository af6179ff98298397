import type { BackupOutcome, BackupStage } from '../../services/backup/run-backup.js';
import type { OverdueVerdict } from '../../services/backup/backup-schedule.js';
import { formatBytes, formatDuration } from '../format.js';

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

/** What an admin should do next when a stage failed. */
const NEXT_STEP: Partial<Record<BackupStage, string>> = {
  lock: 'Another operation is running; wait for it to finish, then run `/odoo backup`.',
  prepare: 'Check that BACKUP_DIR exists, is writable by the bot and has free space (`odoo-ops status`), then run `/odoo backup`.',
  dump: 'Check the database container (`/odoo status`, `docker compose ps db`, `docker compose logs db`), then run `/odoo backup`.',
  filestore: 'Check that the Odoo data volume is mounted in the bot at ODOO_DATA_DIR, then run `/odoo backup`.',
  addons: 'Check that ADDONS_DIR is mounted in the bot, then run `/odoo backup`.',
  archive: 'Check free disk space in BACKUP_DIR (`odoo-ops status`), then run `/odoo backup`.',
  upload: 'Check the CF_R2_* settings and R2 reachability (`odoo-ops doctor` / `/odoo status`), then run `/odoo backup` to upload a fresh archive.',
};

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

/**
 * The final message of a backup, for the channel: name, size, duration, where
 * it is stored; or an alert that stands out with the stage, the cause and what
 * to do next. `redact` scrubs secrets from error text.
 */
export function renderBackupOutcome(outcome: BackupOutcome, how: { trigger: string; redact: (text: string) => string }): SlackMessage {
  if (outcome.ok) {
    const pruned = outcome.pruned?.deleted.reduce((n, d) => n + d.names.length, 0) ?? 0;
    const lines = [
      `:white_check_mark: *Backup succeeded* (${how.trigger})`,
      `*${outcome.name}*`,
      `Size ${formatBytes(outcome.sizeBytes)} · took ${formatDuration(outcome.durationMs / 1000)} · stored in ${outcome.locations.map((l) => (l === 'r2' ? 'R2' : 'local disk')).join(' and ')}`,
    ];
    if (!outcome.locations.includes('r2')) lines.push(':warning: R2 is not configured: this backup exists on this server only.');
    if (pruned > 0) lines.push(`Retention removed ${pruned} old backup cop${pruned === 1 ? 'y' : 'ies'}.`);
    for (const warning of outcome.warnings) lines.push(`:warning: ${how.redact(warning)}`);
    return { text: `Backup succeeded: ${outcome.name}`, blocks: [section(lines.join('\n'))] };
  }
  const { stage, userMessage } = outcome.error;
  const title = outcome.localArchive
    ? `:warning: *Backup incomplete* (${how.trigger}): the archive was made but *not uploaded to R2*`
    : `:rotating_light: *Backup FAILED* (${how.trigger}) at stage *${stage}*`;
  const lines = [title, `*Cause:* ${how.redact(userMessage)}`];
  if (outcome.localArchive) lines.push(`*Kept:* the local copy \`${outcome.localArchive}\` is complete and stays in BACKUP_DIR.`);
  lines.push(`*Next:* ${NEXT_STEP[stage as BackupStage] ?? 'Run `/odoo status` to see what is wrong, then `/odoo backup`.'}`);
  return {
    text: outcome.localArchive ? `Backup not uploaded to R2: ${how.redact(userMessage)}` : `Backup FAILED at ${stage}: ${how.redact(userMessage)}`,
    blocks: [section(lines.join('\n')), context(`Failed after ${formatDuration(outcome.durationMs / 1000)}`)],
  };
}

/** The daily "backups are overdue" alert. */
export function renderOverdue(verdict: OverdueVerdict, newest: string | null): SlackMessage {
  const since = newest && verdict.ageMs !== null ? `The last successful backup is \`${newest}\`, ${formatDuration(verdict.ageMs / 1000)} old.` : 'No successful backup exists yet.';
  const text = `:rotating_light: *Backups are overdue.* ${since} The schedule allows at most ${formatDuration(verdict.thresholdMs / 1000)}.\n*Next:* run \`/odoo status\` to see what is wrong, then \`/odoo backup\`.`;
  return { text: `Backups are overdue. ${since}`, blocks: [section(text)] };
}

/** The backup stages a Slack progress message shows. */
export const SHOWN_BACKUP_STAGES: BackupStage[] = ['dump', 'filestore', 'addons', 'archive', 'upload', 'prune'];

/** The progress message of a backup started from Slack: who started it, each stage done, running (with bytes) or to come. */
export function renderBackupProgress(userId: string, done: Set<BackupStage>, current: BackupStage | null, bytes: number | null): SlackMessage {
  const steps = SHOWN_BACKUP_STAGES.map((stage) => (done.has(stage) ? `~${stage}~ :white_check_mark:` : stage === current ? `*${stage}*${bytes ? ` (${formatBytes(bytes)})` : ''} :hourglass_flowing_sand:` : stage)).join('  ·  ');
  const text = `:hourglass_flowing_sand: Backup started by <@${userId}>\n${steps}`;
  return { text: `Backup started by <@${userId}>`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
