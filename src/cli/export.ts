import { exportCommand } from '../../commands/export.js';
import { backupNameUsage } from './backup-name-usage.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { operationContext } from './run-operation.js';

export const exportCli: CliCommand = {
  name: 'export',
  options: { out: { type: 'string' }, 'no-filestore': { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: 1,
  checkUsage: backupNameUsage(),
  async run(io, values, positionals) {
    const context = operationContext(io);
    if (typeof context === 'number') return context;
    const { services, logger, redact } = context;
    const outcome = await exportCommand(services, { name: positionals[0], out: typeof values.out === 'string' ? values.out : undefined, withFilestore: values['no-filestore'] !== true, cwd: io.cwd });
    if (outcome.ok) logger.info({ command: 'export', name: outcome.name, sizeBytes: outcome.sizeBytes, durationMs: outcome.durationMs }, 'export succeeded');
    else logger.error({ command: 'export', stage: outcome.error.stage, err: outcome.error }, 'export failed');
    if (values.json) {
      const document = outcome.ok ? { ...outcome, warnings: outcome.warnings.map(redact) } : { error: { stage: outcome.error.stage, message: redact(outcome.error.userMessage) } };
      io.stdout.write(`${JSON.stringify(document)}\n`);
    } else if (outcome.ok) {
      io.stdout.write(redact(`Exported ${outcome.name} as ${outcome.out} (${outcome.sizeBytes} bytes, ${outcome.files} files), Odoo ${outcome.manifest.version ?? 'unknown'}.\n${outcome.warnings.map((w) => `! ${w}\n`).join('')}`));
    } else io.stderr.write(redact(`odoo-ops export: ${outcome.error.stage}: ${outcome.error.userMessage}\n`));
    if (!outcome.ok && outcome.error.stage === 'usage') return EXIT.usage;
    return outcome.ok ? EXIT.ok : EXIT.failed;
  },
};
