import type { CliIo } from './cli-command.js';

/**
 * Runs `work` with a signal that Ctrl-C or SIGTERM aborts, saying on stderr
 * that the command stops as soon as nothing is left half-done (a restore's
 * switch always runs to its end). The handlers are removed when `work` settles.
 */
export async function untilInterrupted<T>(io: CliIo, command: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    io.stderr.write(`odoo-ops ${command}: ${signal}: stopping as soon as nothing is left half-done…\n`);
    cancel.abort(`interrupted (${signal})`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(cancel.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
