import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { authorize } from '../../../commands/permissions.js';
import { isBackupName } from '../../../services/backup/backup-name.js';
import type { SlackConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { audited } from '../audit.js';
import { announceIfElsewhere, operationRequest } from '../operation-request.js';
import { ACTION_BACKUP_NOW, ACTION_RESTORE, renderFailure, renderNotice, renderRefusal } from '../render-replies.js';
import type { SlackDeps } from '../slack-deps.js';

/**
 * The buttons on our messages: "Back up now" (status) and "Restore…" (list).
 * Anyone in the channel can press a button, so who may do it is checked again
 * at the press; refusals are ephemeral and leave the message as it is.
 */
export function registerButtonActions(app: App, slack: SlackConfig, deps: SlackDeps, logger: Logger): void {
  const register = (actionId: string | RegExp, command: 'backup' | 'restore') => {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond, client }) => {
      await ack();
      const userId = body.user.id;
      const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
      const value = action.value ?? '';
      await audited(
        logger,
        { kind: 'button', user: userId, channel: channelId, command, args: command === 'restore' ? [value] : [] },
        async () => {
          const refusal = authorize(command, userId, slack.admins);
          if (refusal) {
            await respond(renderRefusal(refusal));
            return 'refused';
          }
          const request = operationRequest(userId, channelId, respond, client, logger);
          if (command === 'backup') {
            const outcome = await deps.startBackup(request);
            await announceIfElsewhere(outcome, request, slack.alertChannel, 'a backup');
            return outcome.started ? 'started' : 'not-started';
          }
          if (!isBackupName(value)) {
            await respond(renderNotice('That button does not name a backup any more; run `/odoo list` again.'));
            return 'bad-value';
          }
          const outcome = await deps.startRestore({ ...request, name: value });
          await announceIfElsewhere(outcome, request, slack.alertChannel, `a restore of ${value}`);
          return outcome.started ? 'started' : 'not-started';
        },
        async (ref) => {
          await respond(renderFailure(ref));
        },
      );
    });
  };
  register(ACTION_BACKUP_NOW, 'backup');
  register(new RegExp(`^${ACTION_RESTORE}(:\\d+)?$`), 'restore');
}
