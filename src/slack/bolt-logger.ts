import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../logger.js';

const LEVELS: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Bolt logs through our pino logger, so its lines are JSON and scrubbed like ours. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const text = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  return {
    debug: (...msg) => child.debug({ detail: text(msg) }, 'bolt'),
    info: (...msg) => child.info({ detail: text(msg) }, 'bolt'),
    warn: (...msg) => child.warn({ detail: text(msg) }, 'bolt'),
    error: (...msg) => child.error({ detail: text(msg) }, 'bolt'),
    setLevel: (level) => {
      child.level = LEVELS[level];
    },
    getLevel: () => (Object.entries(LEVELS).find(([, name]) => name === child.level)?.[0] as LogLevel) ?? LogLevel.INFO,
    setName: () => {},
  };
}
