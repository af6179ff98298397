import { pruneCommand } from '../../commands/prune.js';
import { renderPruneText } from './render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { operationContext } from './run-operation.js';

export const prune: CliCommand = {
  name: 'prune',
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    const context = operationContext(io);
    if (typeof context === 'number') return context;
    const { services, logger, redact, actor } = context;
    const reply = await pruneCommand(services, { startedBy: actor, dryRun: values['dry-run'] === true });
    if (reply.ok) {
      logger.info({ command: 'prune', dryRun: reply.result.dryRun, deleted: reply.result.deleted, failures: reply.result.failures, futureDated: reply.result.futureDated }, 'prune finished');
    } else {
      logger.error({ command: 'prune', err: reply.error }, 'prune failed');
    }
    const failed = !reply.ok || reply.result.failures.length > 0 || reply.warnings.length > 0;
    if (values.json) {
      const document = reply.ok
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
            attachmentStore: reply.store,
            warnings: [...reply.result.warnings, ...reply.warnings].map(redact),
          }
        : { error: { stage: reply.error.stage, message: redact(reply.error.userMessage) } };
      io.stdout.write(`${JSON.stringify(document)}\n`);
    } else {
      (failed ? io.stderr : io.stdout).write(redact(renderPruneText(reply)));
    }
    return failed ? EXIT.failed : EXIT.ok;
  },
};
