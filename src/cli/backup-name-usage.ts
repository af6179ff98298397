import { checkBackupName } from '../../commands/restore.js';
import type { CliCommand } from './cli-command.js';

/**
 * `checkUsage` for a command whose one argument is a backup name (with or
 * without `.tar.gz`; the command normalises it again): the usage message, or
 * null. With `optional`, no argument at all is fine too (`drill` takes the newest).
 */
export function backupNameUsage(options: { optional?: boolean } = {}): NonNullable<CliCommand['checkUsage']> {
  return (_values, positionals) => {
    if (options.optional && positionals[0] === undefined) return null;
    const checked = checkBackupName(positionals[0]);
    return checked.ok ? null : checked.error.userMessage;
  };
}
