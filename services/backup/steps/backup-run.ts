import type { CleanupStack } from '../../cleanup-stack.js';
import { runStep } from '../../pipeline-step.js';
import type { Services } from '../../services.js';
import type { BackupProgress, BackupRequest, BackupStage } from '../run-backup.js';

/** What every step of one backup works with. */
export interface BackupRun {
  services: Services;
  request: BackupRequest;
  /** When the run began (durations, the manifest's createdAt). */
  started: number;
  /** The time the name is read from. */
  takenAt: Date;
  /** Unique to this run: a refused second run cleans up only its own files. */
  runId: string;
  cleanup: CleanupStack;
  progress: (p: BackupProgress) => void;
  /** Runs `work` as named stage `stage`: progress, cancellation, errors said in BACKUP_DIR's terms. */
  step<T>(stage: BackupStage, work: () => Promise<T>): Promise<T>;
  /** A progress callback counting bytes of `stage`. */
  bytes(stage: BackupStage): (n: number) => void;
}

/** A file-system error in BACKUP_DIR, said the way an operator can act on. */
function describeDiskError(error: unknown, dir: string): string | null {
  switch ((error as NodeJS.ErrnoException)?.code) {
    case 'ENOSPC':
      return `no space left on the disk of BACKUP_DIR (${dir})`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `BACKUP_DIR (${dir}) is not writable by the bot (${(error as NodeJS.ErrnoException).code})`;
    default:
      return null;
  }
}

/** The context of one backup run. */
export function backupRun(services: Services, request: BackupRequest, cleanup: CleanupStack, runId: string): BackupRun {
  const started = Date.now();
  const dir = services.settings.backupDir;
  const progress: (p: BackupProgress) => void = request.onProgress ?? (() => {});
  return {
    services,
    request,
    started,
    takenAt: request.now?.() ?? new Date(started),
    runId,
    cleanup,
    progress,
    step: (stage, work) =>
      runStep(stage, progress, work, {
        signal: request.signal,
        describe: (error) => describeDiskError(error, dir) ?? describeDiskError((error as Error)?.cause, dir),
      }),
    bytes: (stage) => (n) => progress({ stage, state: 'bytes', bytes: n }),
  };
}
