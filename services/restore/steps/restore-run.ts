import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { CleanupStack } from '../../cleanup-stack.js';
import { runStep } from '../../pipeline-step.js';
import type { Services } from '../../services.js';
import { restoreNames, restoreStamp } from '../restore-names.js';
import type { RestoreRequest, RestoreStage } from '../run-restore.js';
import type { ArchiveCheck } from '../verify-archive.js';

/** What every step of one restore works with, and what the outcome reports whatever happens. */
export interface RestoreRun {
  services: Services;
  request: RestoreRequest;
  started: number;
  /** The restored copy's, the set-aside's and the staged addons' names. */
  names: ReturnType<typeof restoreNames>;
  /** BACKUP_DIR's temporary folder of this run: the fetched archive and the extracted members. */
  staging: string;
  cleanup: CleanupStack;
  warnings: string[];
  /** Set as the run goes, for the outcome. */
  report: { safetyBackup: string | null; downtimeMs: number | null; checks?: ArchiveCheck[] };
  /**
   * Whether the restored copies must stay: once they became the live data, or
   * after a failed switch-back (every copy stays for recovery by hand).
   * Otherwise the cleanup removes them.
   */
  keepCopies: boolean;
  /** Runs `work` as stage `stage`; the switch ignores the signal (stopping half-way through it must never happen). */
  step<T>(stage: RestoreStage, work: () => Promise<T>): Promise<T>;
}

/** The context of one restore run. */
export function restoreRun(services: Services, request: RestoreRequest, cleanup: CleanupStack): RestoreRun {
  const started = Date.now();
  const names = restoreNames(services.settings.database, restoreStamp(new Date(started)));
  const progress = request.onProgress ?? (() => {});
  return {
    services,
    request,
    started,
    names,
    staging: join(services.settings.backupDir, `.restore-${names.restored}.${process.pid}-${randomBytes(4).toString('hex')}.staging`),
    cleanup,
    warnings: [],
    report: { safetyBackup: null, downtimeMs: null },
    keepCopies: false,
    step: (stage, work) => runStep(stage, progress, work, { signal: stage === 'switch' ? undefined : request.signal }),
  };
}
