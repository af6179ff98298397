import { backupCommand } from '../../commands/backup.js';
import type { BackupProgress } from '../../services/backup/run-backup.js';
import { formatBytes } from '../format.js';
import { renderBackupOutcomeText } from './render-text.js';
import { EXIT, type CliCommand, type CliIo } from './cli-command.js';
import { backupJson } from './render-json.js';
import { runCliOperation } from './run-operation.js';

/** On a terminal: one line per stage, bytes updated in place at most 5 times a second. */
function terminalProgress(io: CliIo): (p: BackupProgress) => void {
  let last = 0;
  return (p) => {
    if (p.state === 'bytes') {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const total = p.total ? ` of ${formatBytes(p.total)}` : '';
      io.stderr.write(`\r  ${p.stage}: ${formatBytes(p.bytes ?? 0)}${total}\x1b[K`);
    } else if (p.state === 'started') {
      io.stderr.write(`\r\x1b[K${p.stage}…\n`);
    }
  };
}

export const backup: CliCommand = {
  name: 'backup',
  options: { json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    return runCliOperation(io, values, async ({ services, logger, redact, actor }) => {
      logger.info({ command: 'backup', actor }, 'backup started');
      const outcome = await backupCommand(services, { startedBy: actor, onProgress: io.interactive && !values.json ? terminalProgress(io) : undefined });
      if (outcome.ok) {
        logger.info({ command: 'backup', name: outcome.name, sizeBytes: outcome.sizeBytes, durationMs: outcome.durationMs, locations: outcome.locations }, 'backup succeeded');
      } else {
        logger.error({ command: 'backup', stage: outcome.error.stage, err: outcome.error, localArchive: outcome.localArchive }, 'backup failed');
      }
      const json = backupJson(outcome, redact);
      return { json, text: renderBackupOutcomeText(outcome), toStderr: !outcome.ok, exit: outcome.ok ? EXIT.ok : EXIT.failed };
    });
  },
};
