import { join } from 'node:path';
import { markNeedsAttention } from '../discard-previous.js';
import { SwitchJournal } from '../switch-journal.js';
import { SwitchFailed, switchOver, type SwitchResult } from '../switch-over.js';
import type { RestoreRun } from './restore-run.js';

const DEFAULT_HEALTH_TIMEOUT_MS = 180_000;

/**
 * Step `switch`, the only downtime: the journalled switchOver of the live
 * database, filestore (and addons) for the restored copies. On success the
 * copies are the live data (kept); when the switch fails and its rollback
 * fails too, every copy is kept and the attention marker written. Records the
 * downtime for the outcome either way.
 */
export async function switchToRestored(run: RestoreRun, withAddons: boolean): Promise<SwitchResult> {
  const { services, request, names } = run;
  try {
    const result = await run.step('switch', () =>
      switchOver(
        {
          database: services.settings.database,
          restoredDatabase: names.restored,
          previousDatabase: names.previous,
          filestoreRoot: join(services.settings.odooDataDir, 'filestore'),
          addons: withAddons ? { dir: services.settings.addonsDir, staged: names.addonsStaged, previous: names.addonsPrevious } : null,
          healthTimeoutMs: request.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
          restore: request.name,
        },
        services.databaseAdmin,
        services.odoo,
        new SwitchJournal(services.settings.backupDir),
      ),
    );
    run.keepCopies = true;
    run.report.downtimeMs = result.downtimeMs;
    return result;
  } catch (error) {
    if (error instanceof SwitchFailed) {
      const failure = error;
      run.report.downtimeMs = failure.downtimeMs;
      if (!failure.rolledBack) {
        // After a failed switch-back, every copy stays where it is, for recovery by hand.
        run.keepCopies = true;
        await markNeedsAttention(services.settings.backupDir, { restore: request.name, at: new Date().toISOString(), message: failure.userMessage }).catch(() => undefined);
      }
    }
    throw error;
  }
}
