import { authorize, slackActor } from '../../../commands/actor.js';
import { announceIfElsewhere, operationRequest } from '../operation-request.js';
import { renderRefusal } from '../render-replies.js';
import type { CommandHandler } from './command-context.js';

/** `/odoo backup`: administrators only; the refusal is ephemeral and names who can. */
export const backupHandler: CommandHandler = async ({ ack, respond, client, logger, deps, slack, userId, channelId }) => {
  const refusal = authorize(slackActor(userId), 'backup', { slack: slack.admins });
  if (refusal) {
    await ack(renderRefusal(refusal));
    return 'refused';
  }
  await ack();
  const request = operationRequest(userId, channelId, respond, client, logger);
  const outcome = await deps.startBackup(request);
  await announceIfElsewhere(outcome, request, slack.alertChannel, 'a backup');
  return outcome.started ? 'started' : 'not-started';
};
