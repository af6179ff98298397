import { syncCommand } from '../../commands/sync.js';
import { EXIT, type CliCommand } from './cli-command.js';
import { operationContext } from './run-operation.js';

export const sync: CliCommand = {
  name: 'sync',
  options: { json: { type: 'boolean' } },
  positionals: 0,
  async run(io, values) {
    const context = operationContext(io);
    if (typeof context === 'number') return context;
    const { services, logger, redact } = context;
    const reply = await syncCommand(services);
    if (!reply.ok) {
      logger.error({ command: 'sync', err: reply.error }, 'sync failed');
      if (values.json) io.stdout.write(`${JSON.stringify({ error: { stage: reply.error.stage, message: redact(reply.error.userMessage) } })}\n`);
      else io.stderr.write(`✘ sync failed (${reply.error.stage}): ${redact(reply.error.userMessage)}\n`);
      return EXIT.failed;
    }
    const r = reply.result;
    logger.info({ command: 'sync', scanned: r.scanned, uploaded: r.uploaded, uploadedBytes: r.uploadedBytes, failed: r.failed.length }, 'sync finished');
    const failed = r.failed.length > 0;
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ...r, failed: r.failed.map((f) => ({ ...f, message: redact(f.message) })), warnings: reply.warnings.map(redact) })}\n`);
    } else {
      const line = `${failed ? '✘' : '✔'} sync: ${r.scanned} files, ${r.alreadyStored} already stored, ${r.uploaded} uploaded (${r.uploadedBytes} bytes)\n`;
      (failed ? io.stderr : io.stdout).write(line + reply.warnings.map((w) => `⚠ ${redact(w)}\n`).join(''));
    }
    return failed ? EXIT.failed : EXIT.ok;
  },
};
