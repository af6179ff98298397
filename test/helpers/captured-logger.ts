import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';

/** A real logger whose JSON lines are kept for the test to read. */
export function capturedLogger(secrets: string[] = []): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ secrets, destination }), lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
