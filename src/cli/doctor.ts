import { doctorCommand } from '../../commands/doctor.js';
import type { CheckResult } from '../../services/health/preflight.js';
import { buildServices } from '../build-services.js';
import { createRedactor } from '../redact.js';
import { renderDoctorText } from './render-text.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { configure } from './configure.js';

/**
 * `odoo-ops doctor [--json]`: one line per check, ✔ / ✘ with what to do.
 * Exit 0 when nothing failed, 1 when a check failed, 2 when the configuration
 * itself is invalid (its problems printed first, nothing else checked).
 */
export const doctor: CliCommand = {
  name: 'doctor',
  options: { json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    const config = configure(io, 'cli');
    if (typeof config === 'number') {
      const check: CheckResult = { name: 'config', state: 'fail', detail: 'invalid configuration (the problems are listed above)', fix: 'fix those variables in .env, then run `odoo-ops doctor` again' };
      if (values.json) io.stdout.write(`${JSON.stringify({ ok: false, checks: [check] })}\n`);
      else io.stderr.write(renderDoctorText({ kind: 'doctor', ok: false, checks: [check] }));
      return config;
    }
    const mode = config.slack ? (config.slack.appToken ? 'Slack in Socket Mode' : 'Slack in HTTP mode') : 'no Slack (CLI only)';
    const configured: CheckResult = { name: 'config', state: 'pass', detail: `valid: ${mode}, ${config.r2 ? 'R2 configured' : 'local-only backups'}, database "${config.postgres.db}"` };
    const reply = await doctorCommand(buildServices(config), {
      before: [configured],
      extra: async () => {
        // Loaded only here: the Slack client would cost every other command time to start.
        const { slackPreflight } = await import('../slack/slack-preflight.js');
        return slackPreflight(config.slack);
      },
    });
    const redact = createRedactor(config.secrets);
    if (values.json) io.stdout.write(`${redact(JSON.stringify({ ok: reply.ok, checks: reply.checks }))}\n`);
    else io.stdout.write(redact(renderDoctorText(reply)));
    return reply.ok ? EXIT.ok : EXIT.failed;
  },
};
