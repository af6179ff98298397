import { runBackup, type BackupOutcome, type BackupProgress } from '../services/backup/run-backup.js';
import { asOperationError } from '../services/operation-error.js';
import type { HeldLock } from '../services/operation-lock.js';
import type { Services } from '../services/services.js';
import type { Actor } from './actor.js';
import { StoppingError, type OperationDeps } from './operation-deps.js';
import type { Reporter } from './reporter.js';
import { stackScopeRefusal } from './stack-scope-refusal.js';

export interface BackupCommandInput {
  /** Who asks, as shown to anyone told "busy" and in the channel: a Slack user id, `cli (user@host)`, `schedule`. */
  startedBy: string;
  onProgress?: (progress: BackupProgress) => void;
  /** Cancels the backup cleanly (the bot shutting down). */
  signal?: AbortSignal;
  /** The lock, when the caller took it for this backup (startBackup); the caller releases it. */
  ownLock?: HeldLock;
}

/**
 * `backup`: a full backup now, its outcome, success or failure, as a value.
 * Who may is checked before (authorize). Refused before anything is written
 * when odoo-ops cannot tell which compose stack is its own.
 */
export async function backupCommand(services: Services, input: BackupCommandInput): Promise<BackupOutcome> {
  const started = Date.now();
  const refused = await stackScopeRefusal(services);
  if (refused) return { ok: false, error: refused, durationMs: Date.now() - started };
  return runBackup(services, { startedBy: input.startedBy, onProgress: input.onProgress, signal: input.signal, ownLock: input.ownLock });
}

/**
 * A backup asked for from a chat (an administrator: checked before), started
 * in the background: takes the operation lock first, so a busy lock is told at
 * once through `reporter.failed` (a BusyError with its holder) and nothing
 * starts; so is a bot that is stopping (StoppingError). Otherwise the backup
 * runs under that lock, tracked so that the bot can stop cleanly, followed
 * through `reporter`, and logged once. Resolves as soon as it started or not.
 */
export async function startBackup(deps: OperationDeps, actor: Actor, reporter: Reporter<BackupProgress, BackupOutcome>): Promise<{ started: boolean }> {
  let lock: HeldLock;
  try {
    lock = await deps.services.lock.acquire('backup', actor.label);
  } catch (error) {
    await reporter.failed(asOperationError('lock', error));
    return { started: false };
  }
  const run = async (signal?: AbortSignal): Promise<BackupOutcome> => {
    try {
      await reporter.started();
      const outcome = await backupCommand(deps.services, { startedBy: actor.label, onProgress: (p) => reporter.progress(p), signal, ownLock: lock });
      await reporter.finished(outcome);
      if (outcome.ok) deps.logger.info({ surface: actor.surface, user: actor.id, name: outcome.name, durationMs: outcome.durationMs }, 'backup succeeded');
      else deps.logger.error({ surface: actor.surface, user: actor.id, stage: outcome.error.stage, err: outcome.error }, 'backup failed');
      return outcome;
    } finally {
      await lock.release();
    }
  };
  const running = deps.operations ? deps.operations.run(run) : run();
  if (!running) {
    await lock.release();
    await reporter.failed(new StoppingError());
    return { started: false };
  }
  void running.catch((error) => deps.logger.error({ err: error, surface: actor.surface, user: actor.id }, 'backup crashed'));
  return { started: true };
}
