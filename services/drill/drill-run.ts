import type { CleanupStack } from '../cleanup-stack.js';
import { runStep } from '../pipeline-step.js';
import type { Services } from '../services.js';

export type DrillStage = 'lock' | 'locate' | 'fetch' | 'verify' | 'restore-database' | 'row-counts' | 'attachments' | 'registry' | 'cleanup';

export interface DrillCheck {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  detail: string;
}

export interface DrillProgress {
  stage: DrillStage;
  state: 'started' | 'done';
}

/** What every step of one drill works with. */
export interface DrillRun {
  services: Services;
  cleanup: CleanupStack;
  /** The run's own folder in BACKUP_DIR (fetched archive, members, extracted filestore); removed at the end. */
  staging: string;
  /** `<db>_drill_<stamp>`: the scratch database, beside the live one, dropped at the end. */
  scratch: string;
  checks: DrillCheck[];
  step<T>(stage: DrillStage, work: () => Promise<T>): Promise<T>;
}

/** The context of one drill run. */
export function drillRun(services: Services, cleanup: CleanupStack, staging: string, scratch: string, onProgress?: (p: DrillProgress) => void): DrillRun {
  const progress = onProgress ?? (() => {});
  return { services, cleanup, staging, scratch, checks: [], step: (stage, work) => runStep(stage, progress, work, {}) };
}
