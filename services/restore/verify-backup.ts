import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { postgresVersion } from '../backup/dump-database.js';
import { asOperationError, type OperationError } from '../operation-error.js';
import type { Services } from '../services.js';
import { locateBackup, type LocatedBackup } from './locate-backup.js';
import { verifyArchive, type VerifiedArchive, type VerifyOptions } from './verify-archive.js';

export type VerifyOutcome =
  | { ok: true; located: LocatedBackup; verified: VerifiedArchive; durationMs: number }
  | { ok: false; error: OperationError; durationMs: number };

/**
 * What verification compares an archive against: POSTGRES_DB and the server's
 * PostgreSQL version (asked through the DB container; left out, and the check
 * says "not compared", when the server does not answer). Reads only.
 */
export async function verifyTarget(services: Pick<Services, 'database' | 'settings'>): Promise<Pick<VerifyOptions, 'serverPostgresVersion' | 'database'>> {
  const serverPostgresVersion = await postgresVersion(services.database).catch(() => undefined);
  return { database: services.settings.database, ...(serverPostgresVersion ? { serverPostgresVersion } : {}) };
}

/**
 * `odoo-ops verify`: the restore's verification step alone. Finds backup
 * `name`, fetches it from R2 into a temporary folder of BACKUP_DIR when it is
 * not local, and runs every check of verifyArchive; the report is `verified`
 * (ok or not). Takes no lock and changes nothing: the temporary folder is
 * removed whatever happens. Never throws.
 */
export async function verifyBackup(services: Services, name: string, options: Pick<VerifyOptions, 'listDump'> = {}): Promise<VerifyOutcome> {
  const started = Date.now();
  const staging = join(services.settings.backupDir, `.verify-${randomBytes(6).toString('hex')}.staging`);
  let stage = 'locate';
  try {
    const located = await locateBackup(services, name);
    await mkdir(join(staging, 'members'), { recursive: true });
    const archive = located.localPath ?? join(staging, name);
    if (!located.localPath) {
      stage = 'fetch';
      await services.r2!.fetch(name, archive);
    }
    stage = 'verify';
    const verified = await verifyArchive(archive, join(staging, 'members'), { ...options, ...(await verifyTarget(services)), expectedSha256: located.sha256 });
    return { ok: true, located, verified, durationMs: Date.now() - started };
  } catch (error) {
    return { ok: false, error: asOperationError(stage, error), durationMs: Date.now() - started };
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}
