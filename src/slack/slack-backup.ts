import { backupCommand } from '../../commands/backup.js';
import type { BackupOutcome, BackupProgress, BackupStage } from '../../services/backup/run-backup.js';
import type { Services } from '../../services/services.js';
import { formatBytes } from '../format.js';
import type { Logger } from '../logger.js';
import { renderBackupOutcome, type SlackMessage } from './render-backup.js';
import { renderNotice } from './render-replies.js';
import { channelNotifier } from './operation-request.js';
import type { OperationOutcome, OperationRequest } from './slack-deps.js';
import type { ChannelNotifier } from './slack-notifier.js';
import type { RunningOperations } from '../running-operations.js';
import { ThrottledMessage } from './throttled-message.js';

export interface SlackBackupDeps {
  services: Services;
  /** Posts in SLACK_ALERT_CHANNEL. */
  alerts: ChannelNotifier & { channel: string };
  logger: Logger;
  redact: (text: string) => string;
  /** Tracks the backup so that the bot can stop cleanly (see RunningOperations). */
  operations?: RunningOperations;
}

/**
 * `startBackup` for the Slack layer (called for admins only, after the ack):
 * answers "busy" at once when another operation holds the lock, otherwise
 * starts the backup in the background and reports it started.
 */
export function slackBackupStarter(deps: SlackBackupDeps): (request: OperationRequest) => Promise<OperationOutcome> {
  return async (request) => {
    const holder = await deps.services.lock.holder();
    if (holder) {
      await request.reply(renderNotice(`Busy: ${holder.operation} started by ${holder.startedBy} at ${holder.startedAt}. Try again when it has finished.`));
      return { started: false };
    }
    const run = (signal?: AbortSignal) => runSlackBackup(deps, request, signal);
    const running = deps.operations ? deps.operations.run(run) : run();
    if (!running) {
      await request.reply(renderNotice('The bot is restarting; try again in a minute.'));
      return { started: false };
    }
    void running.catch((error) => deps.logger.error({ err: error, user: request.userId }, 'slack backup crashed'));
    return { started: true };
  };
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
 * outside the alert channel, the result is also posted there (the Slack layer
 * announced the start). When the bot cannot post in the channel (not a member),
 * the result comes back to the user through the command's response_url.
 */
export async function runSlackBackup(deps: SlackBackupDeps, request: OperationRequest, signal?: AbortSignal): Promise<BackupOutcome> {
  const message = new ThrottledMessage(channelNotifier(request), 'backup progress');
  const done = new Set<BackupStage>();
  let current: BackupStage | null = null;
  const visible = await message.start(progressMessage(request.userId, done, current, null));
  const elsewhere = request.channelId !== deps.alerts.channel;
  const onProgress = (p: BackupProgress) => {
    if (p.state === 'done') done.add(p.stage);
    if (p.state === 'started') current = p.stage;
    if (!SHOWN_STAGES.includes(p.stage)) return;
    message.update(progressMessage(request.userId, done, current, p.state === 'bytes' ? (p.bytes ?? null) : null));
  };
  const outcome = await backupCommand(deps.services, { startedBy: `<@${request.userId}>`, onProgress, signal });
  const result = renderBackupOutcome(outcome, { trigger: `started by <@${request.userId}>`, redact: deps.redact });
  if (visible) await message.finish(result);
  else await request.reply({ response_type: 'ephemeral', text: result.text, blocks: result.blocks as never });
  if (elsewhere) await deps.alerts.post(result, 'backup result');
  if (outcome.ok) deps.logger.info({ user: request.userId, channel: request.channelId, name: outcome.name, durationMs: outcome.durationMs }, 'slack backup succeeded');
  else deps.logger.error({ user: request.userId, channel: request.channelId, stage: outcome.error.stage, err: outcome.error }, 'slack backup failed');
  return outcome;
}
