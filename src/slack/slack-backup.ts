import { slackActor } from '../../commands/actor.js';
import { startBackup } from '../../commands/backup.js';
import type { OperationDeps } from '../../commands/operation-deps.js';
import type { Reporter } from '../../commands/reporter.js';
import type { BackupOutcome, BackupProgress, BackupStage } from '../../services/backup/run-backup.js';
import { renderBackupOutcome, renderBackupProgress, SHOWN_BACKUP_STAGES } from './render-backup.js';
import { renderNotStarted } from './render-replies.js';
import { channelNotifier } from './operation-request.js';
import type { OperationOutcome, OperationRequest } from './slack-deps.js';
import type { ChannelNotifier } from './slack-notifier.js';
import { ThrottledMessage } from './throttled-message.js';

export interface SlackBackupDeps extends OperationDeps {
  /** Posts in SLACK_ALERT_CHANNEL. */
  alerts: ChannelNotifier & { channel: string };
  redact: (text: string) => string;
}

/** `startBackup` for the Slack layer (called for admins only, after the ack): commands/backup.ts startBackup with a Slack reporter. */
export function slackBackupStarter(deps: SlackBackupDeps): (request: OperationRequest) => Promise<OperationOutcome> {
  return (request) => startBackup(deps, slackActor(request.userId), slackBackupReporter(deps, request));
}

/**
 * The Slack reporter of `/odoo backup`: one message in the channel names who
 * started it and follows the stages (at most one update a second), then shows
 * the result. When typed outside the alert channel, the result is also posted
 * there (the listener announced the start). When the bot cannot post in the
 * channel (not a member), the result comes back to the user through the
 * command's response_url. A backup that did not start is answered ephemerally.
 */
export function slackBackupReporter(deps: SlackBackupDeps, request: OperationRequest): Reporter<BackupProgress, BackupOutcome> {
  const message = new ThrottledMessage(channelNotifier(request), 'backup progress');
  const done = new Set<BackupStage>();
  let current: BackupStage | null = null;
  let visible = false;
  return {
    started: async () => {
      visible = await message.start(renderBackupProgress(request.userId, done, current, null));
    },
    progress: (p) => {
      if (p.state === 'done') done.add(p.stage);
      if (p.state === 'started') current = p.stage;
      if (!SHOWN_BACKUP_STAGES.includes(p.stage)) return;
      message.update(renderBackupProgress(request.userId, done, current, p.state === 'bytes' ? (p.bytes ?? null) : null));
    },
    finished: async (outcome) => {
      const result = renderBackupOutcome(outcome, { trigger: `started by <@${request.userId}>`, redact: deps.redact });
      if (visible) await message.finish(result);
      else await request.reply({ response_type: 'ephemeral', text: result.text, blocks: result.blocks as never });
      if (request.channelId !== deps.alerts.channel) await deps.alerts.post(result, 'backup result');
    },
    failed: async (error) => {
      await request.reply(renderNotStarted('backup', error, deps.redact));
    },
  };
}
