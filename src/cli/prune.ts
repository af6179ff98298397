import { pruneCommand } from '../../commands/prune.js';
import { renderPruneText } from './render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { pruneJson } from './render-json.js';
import { runCliOperation } from './run-operation.js';

export const prune: CliCommand = {
  name: 'prune',
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    return runCliOperation(io, values, async ({ services, logger, redact, actor }) => {
      const reply = await pruneCommand(services, { startedBy: actor, dryRun: values['dry-run'] === true });
      if (reply.ok) {
        logger.info({ command: 'prune', dryRun: reply.result.dryRun, deleted: reply.result.deleted, failures: reply.result.failures, futureDated: reply.result.futureDated }, 'prune finished');
      } else {
        logger.error({ command: 'prune', err: reply.error }, 'prune failed');
      }
      const failed = !reply.ok || reply.result.failures.length > 0 || reply.warnings.length > 0;
      const json = pruneJson(reply, redact);
      return { json, text: renderPruneText(reply), toStderr: failed, exit: failed ? EXIT.failed : EXIT.ok };
    });
  },
};
