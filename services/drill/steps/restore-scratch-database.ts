import { createReadStream } from 'node:fs';
import type { VerifiedArchive } from '../../restore/verify-archive.js';
import type { DrillRun } from '../drill-run.js';

/**
 * Step `restore-database`: creates the scratch database (like the live one,
 * from template0) beside the live one and pg_restores the archive's dump into
 * it; registers its drop first, so it goes whatever happens. The live database
 * and Odoo are not touched. Resolves with the time the restore took (the RTO
 * of the database).
 */
export async function restoreScratchDatabase(run: DrillRun, verified: VerifiedArchive): Promise<number> {
  const { services, scratch } = run;
  run.cleanup.defer(() => services.databaseAdmin.drop(scratch));
  return run.step('restore-database', async () => {
    const started = Date.now();
    await services.databaseAdmin.createEmpty(scratch, services.settings.database);
    await services.databaseAdmin.restoreDump(scratch, createReadStream(verified.members.dump));
    const took = Date.now() - started;
    run.checks.push({ name: 'restore', status: 'passed', detail: `restored into ${scratch} in ${(took / 1000).toFixed(1)} s` });
    return took;
  });
}
