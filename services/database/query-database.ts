import { execInContainer } from '../docker/exec-in-container.js';
import { passwordEnv, type DatabaseTarget } from '../backup/dump-database.js';
import { OperationError } from '../operation-error.js';

const FIELD_SEPARATOR = '\x1f';

/**
 * Runs read-only SQL in `database` on the DB container's server (psql, stopping
 * at the first error) and returns its rows, fields split. Values must not hold
 * newlines. Throws OperationError(`stage`) with PostgreSQL's message.
 */
export async function queryDatabase(target: DatabaseTarget, database: string, sql: string, stage = 'database'): Promise<string[][]> {
  const container = await target.stack.runningContainer(target.dbService);
  const result = await execInContainer(container, ['psql', '-U', target.user, '-d', database, '-AtqX', '-F', FIELD_SEPARATOR, '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    env: passwordEnv(target),
  });
  if (result.exitCode !== 0) throw new OperationError(stage, `PostgreSQL refused: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`);
  return result.stdout.split('\n').filter((line) => line !== '').map((line) => line.split(FIELD_SEPARATOR));
}
