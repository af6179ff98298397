import { isBackupName } from '../../../services/backup/backup-name.js';
import { authorize } from '../../../commands/permissions.js';
import { announceIfElsewhere, operationRequest } from '../operation-request.js';
import { renderNotice, renderRefusal } from '../render-replies.js';
import type { CommandHandler } from './command-context.js';

/** `/odoo restore <name>`: administrators only; hands a valid name to the restore flow (which asks for confirmation). */
export const restoreHandler: CommandHandler = async ({ ack, respond, client, logger, deps, slack, userId, channelId, args }) => {
  const refusal = authorize('restore', userId, slack.admins);
  if (refusal) {
    await ack(renderRefusal(refusal));
    return 'refused';
  }
  const name = args[0];
  if (name === undefined || !isBackupName(name) || args.length > 1) {
    await ack(renderNotice('Usage: `/odoo restore <name>`, with a name from `/odoo list` such as `odoo_backup_2026-01-31_02-00-00.tar.gz`.'));
    return 'bad-usage';
  }
  await ack();
  const request = operationRequest(userId, channelId, respond, client, logger);
  const outcome = await deps.startRestore({ ...request, name });
  await announceIfElsewhere(outcome, request, slack.alertChannel, `a restore of ${name}`);
  return outcome.started ? 'started' : 'not-started';
};
