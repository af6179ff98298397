import { drillCommand, type DrillReply } from '../../commands/drill.js';
import { backupNameUsage } from './backup-name-usage.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { operationContext } from './run-operation.js';

/** `odoo-ops drill` on a terminal. */
export function renderDrillText(reply: DrillReply): string {
  if (!reply.ok) return `Drill FAILED: ${reply.error.userMessage}\n`;
  const { result } = reply;
  const lines = [
    `Drill of ${result.backup || '(no backup)'} (from ${result.source}): ${result.passed ? 'PASSED' : `FAILED at ${result.failure!.stage}: ${result.failure!.message}`}`,
    ...(result.restoreMs !== null ? [`  restore time (RTO, database): ${(result.restoreMs / 1000).toFixed(1)} s`] : []),
    ...result.checks.map((c) => `  ${c.status === 'passed' ? '✔' : c.status === 'failed' ? '✘' : '–'} ${c.name}: ${c.detail}`),
    ...reply.warnings.map((w) => `  warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

export const drill: CliCommand = {
  name: 'drill',
  options: { json: { type: 'boolean' } },
  positionals: 1,
  checkUsage: backupNameUsage({ optional: true }),
  async run(io, values, positionals) {
    const context = operationContext(io);
    if (typeof context === 'number') return context;
    const { services, logger, redact, actor } = context;
    const reply = await drillCommand(services, { startedBy: actor, name: positionals[0] });
    if (reply.ok) logger.info({ command: 'drill', backup: reply.result.backup, passed: reply.result.passed, restoreMs: reply.result.restoreMs, failure: reply.result.failure }, 'drill finished');
    else logger.error({ command: 'drill', stage: reply.error.stage, err: reply.error }, 'drill failed');
    const passed = reply.ok && reply.result.passed && reply.warnings.length === 0;
    if (values.json) {
      const document = reply.ok
        ? { ...reply.result, failure: reply.result.failure && { ...reply.result.failure, message: redact(reply.result.failure.message) }, warnings: reply.warnings.map(redact) }
        : { error: { stage: reply.error.stage, message: redact(reply.error.userMessage) } };
      io.stdout.write(`${JSON.stringify(document)}\n`);
    } else {
      (passed ? io.stdout : io.stderr).write(redact(renderDrillText(reply)));
    }
    if (!reply.ok && reply.error.stage === 'usage') return EXIT.usage;
    return passed ? EXIT.ok : EXIT.failed;
  },
};
