import { planRestore, restoreCommand } from '../../commands/restore.js';
import { renderRestoreOutcomeText, renderRestorePlanText } from './render-text.js';
import { untilInterrupted } from './until-interrupted.js';
import { backupNameUsage } from './backup-name-usage.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { operationContext } from './run-operation.js';

export const restore: CliCommand = {
  name: 'restore',
  options: { yes: { type: 'boolean' }, 'safety-backup': { type: 'boolean' }, 'no-safety-backup': { type: 'boolean' }, 'with-addons': { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: 1,
  checkUsage: backupNameUsage(),
  async run(io, values, positionals) {
    const context = operationContext(io);
    if (typeof context === 'number') return context;
    const { services, logger, redact, actor } = context;
    // --no-safety-backup is still accepted: it was the way to skip what is now skipped by default.
    const options = { safetyBackup: values['safety-backup'] === true && values['no-safety-backup'] !== true, withAddons: values['with-addons'] === true };
    // The plan is shown only without --yes: only then is the archive read for its database.
    const planned = await planRestore(services, positionals[0], options, { readLabel: values.yes !== true });
    const fail = (stage: string, message: string, code: number) => {
      io[values.json ? 'stdout' : 'stderr'].write(values.json ? `${JSON.stringify({ error: { stage, message: redact(message) } })}\n` : `odoo-ops restore: ${redact(message)}\n`);
      return code;
    };
    if (!planned.ok) {
      const hint = planned.error.stage === 'locate' ? '; the backups are in `odoo-ops list`' : '';
      return fail(planned.error.stage, `${planned.error.userMessage}${hint}`, planned.error.stage === 'usage' ? EXIT.usage : EXIT.failed);
    }
    if (values.yes !== true) {
      // Without --yes nothing happens: the plan (on stdout: it is what was asked for), and the usage exit code.
      if (values.json) io.stdout.write(`${JSON.stringify({ error: { stage: 'usage', message: 'restore needs --yes to run' }, plan: { name: planned.plan.backup.name, database: planned.plan.database, archiveDatabase: planned.plan.archiveDatabase, ...options } })}\n`);
      else io.stdout.write(renderRestorePlanText(planned.plan, services.settings.timeZone));
      return EXIT.usage;
    }
    logger.info({ command: 'restore', actor, name: planned.plan.backup.name, ...options }, 'restore started');
    // Ctrl-C or a stop cancels cleanly before the switch; during the switch it
    // waits for the switch (or its rollback) to end instead of killing it half-way.
    const outcome = await untilInterrupted(io, 'restore', (signal) =>
      restoreCommand(services, {
        name: planned.plan.backup.name,
        startedBy: actor,
        options,
        signal,
        onProgress: io.interactive && !values.json ? (p) => p.state === 'started' && io.stderr.write(`${p.stage}…\n`) : undefined,
      }),
    );
    if (outcome.ok) logger.info({ command: 'restore', name: outcome.name, durationMs: outcome.durationMs, downtimeMs: outcome.downtimeMs }, 'restore succeeded');
    else logger.error({ command: 'restore', stage: outcome.error.stage, err: outcome.error, liveUntouched: outcome.liveUntouched }, 'restore failed');
    if (values.json) {
      const document = outcome.ok
        ? { ...outcome, warnings: outcome.warnings.map(redact) }
        : {
            error: { stage: outcome.error.stage, message: redact(outcome.error.userMessage) },
            durationMs: outcome.durationMs,
            downtimeMs: outcome.downtimeMs,
            liveUntouched: outcome.liveUntouched,
            safetyBackup: outcome.safetyBackup,
            checks: outcome.checks,
          };
      io.stdout.write(`${JSON.stringify(document)}\n`);
    } else {
      (outcome.ok ? io.stdout : io.stderr).write(redact(renderRestoreOutcomeText(outcome)));
    }
    return outcome.ok ? EXIT.ok : EXIT.failed;
  },
};
