import { verifyCommand } from '../../commands/restore.js';
import { renderVerifyText } from './render-text.js';
import { backupNameUsage } from './backup-name-usage.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { operationContext } from './run-operation.js';

export const verify: CliCommand = {
  name: 'verify',
  options: { json: { type: 'boolean' } },
  positionals: 1,
  checkUsage: backupNameUsage(),
  async run(io, values, positionals) {
    const context = operationContext(io);
    if (typeof context === 'number') return context;
    const { services, logger, redact } = context;
    const outcome = await verifyCommand(services, positionals[0]);
    const good = outcome.ok && outcome.verified.ok;
    if (outcome.ok) logger.info({ command: 'verify', name: outcome.located.name, ok: good, durationMs: outcome.durationMs }, 'verify finished');
    else logger.error({ command: 'verify', stage: outcome.error.stage, err: outcome.error }, 'verify failed');
    if (values.json) {
      const document = outcome.ok
        ? { name: outcome.located.name, ok: good, sha256: outcome.verified.sha256, checksummed: outcome.verified.manifest !== null, locations: outcome.located.locations, checks: outcome.verified.checks }
        : { error: { stage: outcome.error.stage, message: redact(outcome.error.userMessage) } };
      io.stdout.write(`${JSON.stringify(document)}\n`);
    } else {
      (good ? io.stdout : io.stderr).write(redact(renderVerifyText(outcome)));
    }
    if (!outcome.ok && outcome.error.stage === 'usage') return EXIT.usage;
    return good ? EXIT.ok : EXIT.failed;
  },
};
