import { verifyCommand } from '../../commands/restore.js';
import { renderVerifyText } from './render-text.js';
import { backupNameUsage } from './backup-name-usage.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { verifyJson } from './render-json.js';
import { runCliOperation } from './run-operation.js';

export const verify: CliCommand = {
  name: 'verify',
  options: { json: { type: 'boolean' } },
  positionals: 1,
  checkUsage: backupNameUsage(),
  async run(io, values, positionals) {
    return runCliOperation(io, values, async ({ services, logger, redact }) => {
      const outcome = await verifyCommand(services, positionals[0]);
      const good = outcome.ok && outcome.verified.ok;
      if (outcome.ok) logger.info({ command: 'verify', name: outcome.located.name, ok: good, durationMs: outcome.durationMs }, 'verify finished');
      else logger.error({ command: 'verify', stage: outcome.error.stage, err: outcome.error }, 'verify failed');
      const json = verifyJson(outcome, redact);
      const exit = !outcome.ok && outcome.error.stage === 'usage' ? EXIT.usage : good ? EXIT.ok : EXIT.failed;
      return { json, text: renderVerifyText(outcome), toStderr: !good, exit };
    });
  },
};
