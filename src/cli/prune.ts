import { pruneCommand } from '../../commands/prune.js';
import { renderPruneText } from './render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';
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
      const json = reply.ok
          ? {
              dryRun: reply.result.dryRun,
              cutoff: reply.result.cutoff.toISOString(),
              kept: reply.result.protectedName,
              rule: reply.result.rule,
              decisions: reply.result.decisions,
              deleted: reply.result.deleted,
              failures: reply.result.failures.map((f) => ({ ...f, message: redact(f.message) })),
              futureDated: reply.result.futureDated,
              previousData: reply.discarded,
              warnings: [...reply.result.warnings, ...reply.warnings].map(redact),
            }
          : { error: { stage: reply.error.stage, message: redact(reply.error.userMessage) } };
      return { json, text: renderPruneText(reply), toStderr: failed, exit: failed ? EXIT.failed : EXIT.ok };
    });
  },
};
