import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED, createRedactor } from './redact.js';

export type { Logger } from 'pino';

// Field names that hold secrets wherever they appear (one or two levels deep).
const SECRET_KEYS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  'secret',
  'secretAccessKey',
  'accessKeyId',
  'authorization',
  'Authorization',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers.${key}`, `*.headers.${key}`]);

export interface LoggerOptions {
  /** Secret values to scrub from every line, wherever they appear (messages, error stacks). */
  secrets: readonly string[];
  level?: string;
  /** Defaults to standard error, so that stdout stays free for `--json`. */
  destination?: DestinationStream;
}

/**
 * Creates the process logger: JSON lines on stderr. Secrets are removed twice:
 * by field name (pino's redact) and by value on the serialized line, so a token
 * quoted inside an error message or stack is removed too.
 */
export function createLogger(options: LoggerOptions): Logger {
  const redact = createRedactor(options.secrets);
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: redact },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
