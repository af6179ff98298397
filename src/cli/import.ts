import { importCommand, planImportCommand } from '../../commands/import.js';
import type { ImportOutcome, ImportPlan } from '../../services/odoo-zip/run-import.js';
import { untilInterrupted } from './until-interrupted.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { operationContext } from './run-operation.js';

function planText(plan: ImportPlan): string {
  const m = plan.manifest ?? {};
  const lines = [
    `Import ${plan.file} (${plan.kind === 'zip' ? "Odoo database-manager zip" : 'custom-format dump'})`,
    plan.manifest ? `  database ${String(m.db_name)}, Odoo ${String(m.version)}, PostgreSQL ${String(m.pg_version)}, ${Object.keys((m.modules as object) ?? {}).length} modules` : '  no manifest',
    `  filestore: ${plan.filestoreFiles} files, ${plan.filestoreBytes} bytes`,
    ...plan.problems.map((p) => `  ✘ ${p}`),
    ...plan.warnings.map((w) => `  ! ${w}`),
    plan.problems.length > 0 ? 'It cannot be imported.' : 'It would replace the live database and filestore (built beside them, then switched over with rollback). Run again with --yes.',
  ];
  return `${lines.join('\n')}\n`;
}

function outcomeText(outcome: ImportOutcome): string {
  if (!outcome.ok) return `odoo-ops import: ${outcome.error.stage}: ${outcome.error.userMessage}${outcome.liveUntouched ? ' (the live data was not touched)' : ''}\n`;
  const lines = [
    `Imported ${outcome.file} into ${outcome.database}: ${outcome.files} files, Odoo down ${(outcome.downtimeMs / 1000).toFixed(1)} s.`,
    outcome.previousArchive ? `The previous data is archived as ${outcome.previousArchive}.` : `The previous data is kept as ${outcome.previousDatabase ?? '(none)'}.`,
    ...outcome.warnings.map((w) => `! ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

export const importCli: CliCommand = {
  name: 'import',
  options: { yes: { type: 'boolean' }, 'new-uuid': { type: 'boolean' }, 'safety-backup': { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: 1,
  checkUsage(_values, positionals) {
    return positionals[0] && /\.(zip|dump)$/i.test(positionals[0]) ? null : 'expected an Odoo database-manager or Odoo.sh .zip, or a .dump (pg_dump -Fc)';
  },
  async run(io, values, positionals) {
    const context = operationContext(io);
    if (typeof context === 'number') return context;
    const { services, logger, redact, actor } = context;
    const options = { newUuid: values['new-uuid'] === true, safetyBackup: values['safety-backup'] === true };
    const fail = (stage: string, message: string, code: number) => {
      io[values.json ? 'stdout' : 'stderr'].write(values.json ? `${JSON.stringify({ error: { stage, message: redact(message) } })}\n` : `odoo-ops import: ${redact(message)}\n`);
      return code;
    };
    const planned = await planImportCommand(services, positionals[0]);
    if (!planned.ok) return fail(planned.error.stage, planned.error.userMessage, planned.error.stage === 'usage' ? EXIT.usage : EXIT.failed);
    if (values.yes !== true || planned.plan.problems.length > 0) {
      if (values.json) io.stdout.write(`${JSON.stringify({ error: { stage: planned.plan.problems.length > 0 ? 'verify' : 'usage', message: planned.plan.problems.length > 0 ? redact(planned.plan.problems.join('; ')) : 'import needs --yes to run' }, plan: planned.plan })}\n`);
      else io.stdout.write(redact(planText(planned.plan)));
      return planned.plan.problems.length > 0 ? EXIT.failed : EXIT.usage;
    }
    logger.info({ command: 'import', actor, ...options }, 'import started');
    const outcome = await untilInterrupted(io, 'import', (signal) =>
      importCommand(services, {
        file: positionals[0]!,
        startedBy: actor,
        options,
        signal,
        onProgress: io.interactive && !values.json ? (p) => p.state === 'started' && io.stderr.write(`${p.stage}…\n`) : undefined,
      }),
    );
    if (outcome.ok) logger.info({ command: 'import', durationMs: outcome.durationMs, downtimeMs: outcome.downtimeMs }, 'import succeeded');
    else logger.error({ command: 'import', stage: outcome.error.stage, err: outcome.error, liveUntouched: outcome.liveUntouched }, 'import failed');
    if (values.json) {
      const document = outcome.ok ? { ...outcome, warnings: outcome.warnings.map(redact) } : { error: { stage: outcome.error.stage, message: redact(outcome.error.userMessage) }, liveUntouched: outcome.liveUntouched, durationMs: outcome.durationMs };
      io.stdout.write(`${JSON.stringify(document)}\n`);
    } else (outcome.ok ? io.stdout : io.stderr).write(redact(outcomeText(outcome)));
    return outcome.ok ? EXIT.ok : EXIT.failed;
  },
};
