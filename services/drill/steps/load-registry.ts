import { execInContainer } from '../../docker/exec-in-container.js';
import type { DrillRun } from '../drill-run.js';

// The official image's entrypoint passes HOST/PORT/USER/PASSWORD as --db_* flags; an exec bypasses it, so we do the same.
const LOAD_REGISTRY =
  'command -v odoo >/dev/null 2>&1 || exit 127; exec odoo --stop-after-init --no-http --workers=0 --max-cron-threads=0 --db_host="${HOST:-db}" --db_port="${PORT:-5432}" --db_user="${USER:-odoo}" --db_password="${PASSWORD:-}" -d "$1"';

/**
 * Step `registry`: when the odoo container can run `odoo` (the real image),
 * loads the scratch database's registry there (`--stop-after-init`, no HTTP,
 * no cron), the live Odoo process untouched; skipped with a note otherwise
 * (the test stand-in). A non-zero exit fails the check with Odoo's last lines.
 */
export async function loadRegistry(run: DrillRun): Promise<void> {
  await run.step('registry', async () => {
    const { services, scratch } = run;
    const container = await services.stack.runningContainer(services.settings.odooService);
    const result = await execInContainer(container, ['sh', '-c', LOAD_REGISTRY, 'sh', scratch]);
    if (result.exitCode === 127) {
      run.checks.push({ name: 'registry', status: 'skipped', detail: `the ${services.settings.odooService} container cannot run odoo (a stand-in?): registry not loaded` });
      return;
    }
    run.checks.push(
      result.exitCode === 0
        ? { name: 'registry', status: 'passed', detail: `Odoo loaded the registry of ${scratch}` }
        : { name: 'registry', status: 'failed', detail: `odoo exited with code ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-2).join(' ')}` },
    );
  });
}
