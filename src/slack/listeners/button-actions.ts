import type { App, BlockAction, ButtonAction, RespondArguments } from '@slack/bolt';
import { authorize, slackActor } from '../../../commands/actor.js';
import { isBackupName } from '../../../services/backup/backup-name.js';
import type { SlackConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { audited } from '../audit.js';
import { announceIfElsewhere, operationRequest } from '../operation-request.js';
import { ACTION_BACKUP_NOW, ACTION_RESTORE, redactMessage, renderFailure, renderNotice, renderRefusal } from '../render-replies.js';
import { ACTION_RESTORE_ADDONS, ACTION_RESTORE_CANCEL, ACTION_RESTORE_CONFIRM, BLOCK_RESTORE_OFFER, WITH_ADDONS } from '../render-restore.js';
import type { RestorePress, SlackDeps } from '../slack-deps.js';

type OfferState = { values?: Record<string, Record<string, { selected_options?: { value: string }[] }>> };

/**
 * The buttons on our messages: "Back up now" (status), "Restore…" (list), and
 * the restore offer's Restore and Cancel (its addons checkbox is only acked:
 * its state arrives with the press).
 * Anyone in the channel can press a button, so who may do it is checked again
 * at the press; refusals are ephemeral and leave the message as it is.
 */
export function registerButtonActions(app: App, slack: SlackConfig, deps: SlackDeps, logger: Logger): void {
  const redact = deps.redact ?? ((text: string) => text);
  const register = (actionId: string | RegExp, command: 'backup' | 'restore') => {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond: rawRespond, client }) => {
      const respond = ((message: string | RespondArguments) => rawRespond(redactMessage(message, redact) as never)) as typeof rawRespond;
      await ack();
      const userId = body.user.id;
      const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
      const value = action.value ?? '';
      await audited(
        logger,
        { kind: 'button', user: userId, channel: channelId, command, args: command === 'restore' ? [value] : [] },
        async () => {
          const refusal = authorize(slackActor(userId), command, { slack: slack.admins });
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
  app.action(ACTION_RESTORE_ADDONS, async ({ ack }) => {
    await ack();
  });
  for (const [actionId, kind] of [
    [ACTION_RESTORE_CONFIRM, 'confirm'],
    [ACTION_RESTORE_CANCEL, 'cancel'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond: rawRespond, client }) => {
      const respond = ((message: string | RespondArguments) => rawRespond(redactMessage(message, redact) as never)) as typeof rawRespond;
      await ack();
      const userId = body.user.id;
      const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
      const state = (body as { state?: OfferState }).state;
      const withAddons = state?.values?.[BLOCK_RESTORE_OFFER]?.[ACTION_RESTORE_ADDONS]?.selected_options?.some((o) => o.value === WITH_ADDONS) === true;
      await audited(
        logger,
        { kind: 'button', user: userId, channel: channelId, command: `restore-${kind}`, args: withAddons ? ['--with-addons'] : [] },
        async () => {
          const refusal = authorize(slackActor(userId), 'restore', { slack: slack.admins });
          if (refusal) {
            await respond(renderRefusal(refusal));
            return 'refused';
          }
          const press: RestorePress = {
            ...operationRequest(userId, channelId, respond, client, logger),
            offerId: action.value ?? '',
            withAddons,
            messageTs: body.message?.ts ?? body.container?.message_ts ?? null,
          };
          if (kind === 'cancel') {
            await deps.cancelRestore(press);
            return 'cancelled';
          }
          const outcome = await deps.confirmRestore(press);
          await announceIfElsewhere(outcome, press, slack.alertChannel, 'a restore');
          return outcome.started ? 'started' : 'not-started';
        },
        async (ref) => {
          await respond(renderFailure(ref));
        },
      );
    });
  }
  register(ACTION_BACKUP_NOW, 'backup');
  register(new RegExp(`^${ACTION_RESTORE}(:\\d+)?$`), 'restore');
}
