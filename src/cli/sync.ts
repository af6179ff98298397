import { syncCommand } from '../../commands/sync.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { syncJson } from './render-json.js';
import { runCliOperation } from './run-operation.js';

export const sync: CliCommand = {
  name: 'sync',
  options: { json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    return runCliOperation(io, values, async ({ services, logger, redact }) => {
      const reply = await syncCommand(services);
      if (!reply.ok) {
        logger.error({ command: 'sync', err: reply.error }, 'sync failed');
        return { json: syncJson(reply, redact), text: `✘ sync failed (${reply.error.stage}): ${reply.error.userMessage}\n`, toStderr: true, exit: EXIT.failed };
      }
      const r = reply.result;
      logger.info({ command: 'sync', scanned: r.scanned, uploaded: r.uploaded, uploadedBytes: r.uploadedBytes, failed: r.failed.length }, 'sync finished');
      const failed = r.failed.length > 0;
      const line = `${failed ? '✘' : '✔'} sync: ${r.scanned} files, ${r.alreadyStored} already stored, ${r.uploaded} uploaded (${r.uploadedBytes} bytes)\n`;
      return { json: syncJson(reply, redact), text: line + reply.warnings.map((w) => `⚠ ${w}\n`).join(''), toStderr: failed, exit: failed ? EXIT.failed : EXIT.ok };
    });
  },
};
