import { execInContainer } from '../docker/exec-in-container.js';
import { passwordEnv, type DatabaseTarget } from '../backup/dump-database.js';
import { OperationError } from '../operation-error.js';
import type { BackupEntry } from './backup-catalog.js';
import type { StorageBackend } from './storage-backend.js';

/**
 * Who writes a backup: the PostgreSQL cluster's system identifier (unique per
 * `initdb`, stable across container re-creations) and the database name. Two
 * servers sharing a bucket and prefix have different ones.
 */
export async function writerIdentity(target: DatabaseTarget): Promise<string> {
  const container = await target.stack.runningContainer(target.dbService);
  const result = await execInContainer(container, ['psql', '-U', target.user, '-d', target.database, '-AtX', '-c', 'SELECT system_identifier FROM pg_control_system()'], {
    env: passwordEnv(target),
  });
  if (result.exitCode !== 0) throw new OperationError('dump', `cannot read the database cluster's identifier: ${result.stderr.trim()}`);
  return `${result.stdout.trim()}/${target.database}`;
}

/** How many R2-only backups are looked at: each costs one HEAD request. */
const LOOKED_AT = 3;

/**
 * The newest backups that only R2 holds and that another server wrote (their
 * `writer` metadata differs from `ours`): another odoo-ops with the same bucket
 * and CF_R2_PREFIX, whose names ours could collide with and whose archives our
 * retention would prune. Read-only: at most three HEAD requests. Backups
 * without writer metadata (older versions) are not judged.
 */
export async function foreignBackups(r2: StorageBackend, backups: readonly BackupEntry[], ours: string): Promise<string[]> {
  const candidates = backups.filter((b) => b.locations.length === 1 && b.locations[0] === 'r2').slice(0, LOOKED_AT);
  const described = await Promise.all(candidates.map((b) => r2.describe(b.name)));
  return described.filter((d) => d?.writer !== undefined && d.writer !== ours).map((d) => d!.name);
}

/** The warning status and doctor show for `foreign` names. */
export function foreignWritersWarning(foreign: string[]): string {
  return `R2 holds backups another server wrote under the same bucket and prefix (${foreign.join(', ')}): give each server its own CF_R2_PREFIX`;
}
