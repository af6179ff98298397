import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { asOperationError, type OperationError } from '../operation-error.js';
import type { Services } from '../services.js';
import { runStep } from '../pipeline-step.js';
import { fetchAndVerify } from './fetch-and-verify.js';
import type { LocatedBackup } from './locate-backup.js';
import type { VerifiedArchive, VerifyOptions } from './verify-archive.js';

export type VerifyOutcome =
  | { ok: true; located: LocatedBackup; verified: VerifiedArchive; durationMs: number }
  | { ok: false; error: OperationError; durationMs: number };

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
  try {
    const { located, verified } = await fetchAndVerify(services, name, staging, (stage, work) => runStep(stage, () => {}, work), options);
    return { ok: true, located, verified, durationMs: Date.now() - started };
  } catch (error) {
    return { ok: false, error: asOperationError('verify', error), durationMs: Date.now() - started };
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}
