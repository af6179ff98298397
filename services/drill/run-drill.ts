import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CleanupStack } from '../cleanup-stack.js';
import { asOperationError } from '../operation-error.js';
import type { Services } from '../services.js';
import type { DrillResult } from './drill-record.js';
import { drillRun, type DrillProgress } from './drill-run.js';
import { checkAttachments } from './steps/check-attachments.js';
import { checkRowCounts } from './steps/check-row-counts.js';
import { fetchDrillArchive } from './steps/fetch-drill-archive.js';
import { loadRegistry } from './steps/load-registry.js';
import { restoreScratchDatabase } from './steps/restore-scratch-database.js';

export interface DrillRequest {
  /** The backup to drill; the newest (in R2 when configured) when unset. */
  name?: string;
  onProgress?: (progress: DrillProgress) => void;
  /** The scratch database's stamp (default: now, as digits); tests name it to look for it. */
  stamp?: string;
}

const stampOf = (at: Date) => at.toISOString().replace(/\D/g, '').slice(0, 14);

/**
 * A restore drill, as named steps under steps/: the backup fetched (from R2
 * when it holds it) and verified; its database restored into the scratch
 * database `<db>_drill_<stamp>` beside the live one (the restore timed: the
 * RTO); every table's rows counted against the manifest; every attachment the
 * restored database refers to checked in the archive's filestore by SHA-1;
 * Odoo's registry loaded when the odoo container can run odoo. Odoo and the
 * live database are never touched. The scratch database and the staging
 * folder are removed whatever happened. The caller holds the operation lock.
 * Never throws: the result (passed only when no check failed) is a value; it
 * is not recorded here (see appendDrillResult).
 */
export async function runDrill(services: Services, request: DrillRequest = {}): Promise<DrillResult> {
  const started = new Date();
  const cleanup = new CleanupStack();
  const stamp = request.stamp ?? stampOf(started);
  const staging = join(services.settings.backupDir, `.drill-${process.pid}-${randomBytes(4).toString('hex')}.staging`);
  const run = drillRun(services, cleanup, staging, `${services.settings.database}_drill_${stamp}`, request.onProgress);
  let backup = request.name ?? '';
  let source: DrillResult['source'] = services.r2 ? 'r2' : 'local';
  let restoreMs: number | null = null;
  let failure: DrillResult['failure'] = null;
  try {
    const fetched = await fetchDrillArchive(run, request.name);
    backup = fetched.name;
    source = fetched.source;
    restoreMs = await restoreScratchDatabase(run, fetched.verified);
    await checkRowCounts(run, fetched.verified.manifest);
    await checkAttachments(run, fetched.verified);
    await loadRegistry(run);
    const failed = run.checks.find((c) => c.status === 'failed');
    if (failed) failure = { stage: failed.name, message: failed.detail };
  } catch (error) {
    const e = asOperationError('drill', error);
    failure = { stage: e.stage, message: e.userMessage };
  } finally {
    await cleanup.run();
    // The cleanup swallows its errors: a scratch database left behind is a failure to say.
    const left = await services.databaseAdmin.databases().then(
      (names) => (names.includes(run.scratch) ? `${run.scratch} is still on the server` : null),
      (error: Error) => `could not check that ${run.scratch} was dropped: ${error.message}`,
    );
    if (left) {
      run.checks.push({ name: 'cleanup', status: 'failed', detail: left });
      failure ??= { stage: 'cleanup', message: left };
    }
  }
  return { backup, startedAt: started.toISOString(), finishedAt: new Date().toISOString(), passed: failure === null, source, restoreMs, checks: run.checks, failure };
}
