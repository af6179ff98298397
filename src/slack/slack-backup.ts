import { backupCommand } from '../../commands/backup.js';
import type { BackupOutcome, BackupProgress, BackupStage } from '../../services/backup/run-backup.js';
import type { Services } from '../../services/services.js';
import { formatBytes } from '../format.js';
import type { Logger } from '../logger.js';
import { renderBackupOutcome, type SlackMessage } from './render-backup.js';
import type { ChannelNotifier } from './slack-notifier.js';
import { ThrottledMessage } from './throttled-message.js';

export interface SlackBackupDeps {
  services: Services;
  /** Posts in the channel where the command was typed. */
  here: ChannelNotifier;
  /** Posts in SLACK_ALERT_CHANNEL. */
  alerts: ChannelNotifier & { channel: string };
  logger: Logger;
  redact: (text: string) => string;
}

const SHOWN_STAGES: BackupStage[] = ['dump', 'filestore', 'addons', 'archive', 'upload', 'prune'];

function progressMessage(userId: string, done: Set<BackupStage>, current: BackupStage | null, bytes: number | null): SlackMessage {
  const steps = SHOWN_STAGES.map((stage) => (done.has(stage) ? `~${stage}~ :white_check_mark:` : stage === current ? `*${stage}*${bytes ? ` (${formatBytes(bytes)})` : ''} :hourglass_flowing_sand:` : stage)).join('  ·  ');
  const text = `:hourglass_flowing_sand: Backup started by <@${userId}>\n${steps}`;
  return { text: `Backup started by <@${userId}>`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/**
 * `/odoo backup` from Slack, after the command was acknowledged and the admin
 * check passed: one message in the channel names who started it and follows
 * the stages (at most one update a second), then shows the result. When typed
 * outside the alert channel, the start and the result are also announced there.
 */
export async function runSlackBackup(deps: SlackBackupDeps, request: { userId: string; channelId: string }): Promise<BackupOutcome> {
  const message = new ThrottledMessage(deps.here, 'backup progress');
  const done = new Set<BackupStage>();
  let current: BackupStage | null = null;
  await message.start(progressMessage(request.userId, done, current, null));
  const elsewhere = request.channelId !== deps.alerts.channel;
  if (elsewhere) {
    await deps.alerts.post(
      { text: `Backup started by <@${request.userId}> in <#${request.channelId}>`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:information_source: Backup started by <@${request.userId}> in <#${request.channelId}>` } }] },
      'backup announcement',
    );
  }
  const onProgress = (p: BackupProgress) => {
    if (p.state === 'done') done.add(p.stage);
    if (p.state === 'started') current = p.stage;
    if (!SHOWN_STAGES.includes(p.stage)) return;
    message.update(progressMessage(request.userId, done, current, p.state === 'bytes' ? (p.bytes ?? null) : null));
  };
  const outcome = await backupCommand(deps.services, { startedBy: `<@${request.userId}>`, onProgress });
  const result = renderBackupOutcome(outcome, { trigger: `started by <@${request.userId}>`, redact: deps.redact });
  await message.finish(result);
  if (elsewhere) await deps.alerts.post(result, 'backup result');
  if (outcome.ok) deps.logger.info({ user: request.userId, channel: request.channelId, name: outcome.name, durationMs: outcome.durationMs }, 'slack backup succeeded');
  else deps.logger.error({ user: request.userId, channel: request.channelId, stage: outcome.error.stage, err: outcome.error }, 'slack backup failed');
  return outcome;
}
