import { authorize, slackActor } from '../../../commands/actor.js';
import { checkBackupName } from '../../../commands/restore.js';
import { announceIfElsewhere, operationRequest } from '../operation-request.js';
import { renderNotice, renderRefusal, slackInput } from '../render-replies.js';
import type { CommandHandler } from './command-context.js';

/** `/odoo restore <name>`: administrators only; hands a valid name (`.tar.gz` added when left out) to the restore flow (which asks for confirmation). */
export const restoreHandler: CommandHandler = async ({ ack, respond, client, logger, deps, slack, userId, channelId, args }) => {
  const refusal = authorize(slackActor(userId), 'restore', { slack: slack.admins });
  if (refusal) {
    await ack(renderRefusal(refusal));
    return 'refused';
  }
  // A name with or without `.tar.gz`, normalised to the archive's name.
  const checked = args.length === 1 ? checkBackupName(args[0]) : null;
  if (!checked?.ok) {
    const notOne = args.length === 1 ? `"${slackInput(args[0]!)}" is not a backup name. ` : args.length > 1 ? 'One name only. ' : '';
    await ack(renderNotice(`${notOne}Usage: \`/odoo restore <name>\`, with a name from \`/odoo list\` such as \`odoo_backup_2026-01-31_02-00-00.tar.gz\` (\`.tar.gz\` may be left out).`));
    return 'bad-usage';
  }
  const { name } = checked;
  await ack();
  const request = operationRequest(userId, channelId, respond, client, logger);
  const outcome = await deps.startRestore({ ...request, name });
  await announceIfElsewhere(outcome, request, slack.alertChannel, `a restore of ${name}`);
  return outcome.started ? 'started' : 'not-started';
};
