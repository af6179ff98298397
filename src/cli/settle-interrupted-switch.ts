import { hostname, userInfo } from 'node:os';
import { recoverSwitch, recoveryNotice } from '../../services/restore/recover-switch.js';
import { SwitchJournal } from '../../services/restore/switch-journal.js';
import { buildServices } from '../build-services.js';
import { createLogger } from '../logger.js';
import { createRedactor } from '../redact.js';
import type { CliIo } from './cli-command.js';
import { configure } from './configure.js';

/**
 * Before any command that reads the configuration: a restore's switch that a
 * killed process left half-done (its journal in BACKUP_DIR) is finished or
 * rolled back, and what was done is said on stderr and in the log. Costs a
 * file check when there is none; a configuration that does not load is left
 * to the command itself to report.
 */
export async function settleInterruptedSwitch(io: CliIo): Promise<void> {
  const silent: CliIo = { ...io, stderr: { write: () => true } as unknown as NodeJS.WritableStream };
  const config = configure(silent, 'cli');
  if (typeof config === 'number') return;
  if (!(await new SwitchJournal(config.backup.dir).read().catch(() => null))) return;
  const logger = createLogger({ secrets: config.secrets });
  const redact = createRedactor(config.secrets);
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry
  }
  const recovery = await recoverSwitch(buildServices(config), { startedBy: `cli (${user}@${hostname()})` });
  const notice = recoveryNotice(recovery);
  if (!notice) return;
  logger[recovery.action === 'failed' ? 'error' : 'warn']({ action: recovery.action }, 'interrupted switch settled');
  io.stderr.write(`odoo-ops: ${redact(notice)}\n`);
}

