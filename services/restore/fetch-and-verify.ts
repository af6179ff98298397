import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { postgresVersion } from '../backup/dump-database.js';
import type { Services } from '../services.js';
import { locateBackup, type LocatedBackup } from './locate-backup.js';
import { verifyArchive, type VerifiedArchive, type VerifyOptions } from './verify-archive.js';

/**
 * What verification compares an archive against: POSTGRES_DB and the server's
 * PostgreSQL version (asked through the DB container; left out, and the check
 * says "not compared", when the server does not answer). Reads only.
 */
export async function verifyTarget(services: Pick<Services, 'database' | 'settings'>): Promise<Pick<VerifyOptions, 'serverPostgresVersion' | 'database'>> {
  const serverPostgresVersion = await postgresVersion(services.database).catch(() => undefined);
  return { database: services.settings.database, ...(serverPostgresVersion ? { serverPostgresVersion } : {}) };
}

type Stage = 'locate' | 'space' | 'fetch' | 'verify';

/**
 * Locate → fetch → check, shared by `verify` and `restore`: finds backup
 * `name` (BACKUP_DIR, else R2), lets `checkSpace` refuse before anything is
 * written, fetches it from R2 into `staging` when it is not local, and runs
 * every check of verifyArchive against the target (POSTGRES_DB, the server's
 * PostgreSQL) and R2's recorded SHA-256, extracting the members into
 * `staging/members`. The report says whether the archive is good; it does not
 * throw for a bad one. Writes only into `staging` (the caller removes it).
 */
export async function fetchAndVerify(
  services: Services,
  name: string,
  staging: string,
  step: <T>(stage: Stage, work: () => Promise<T>) => Promise<T>,
  options: Pick<VerifyOptions, 'listDump'> & { checkSpace?: (located: LocatedBackup) => Promise<void> } = {},
): Promise<{ located: LocatedBackup; verified: VerifiedArchive }> {
  const located = await step('locate', () => locateBackup(services, name));
  await step('space', async () => {
    await mkdir(join(staging, 'members'), { recursive: true, mode: 0o700 });
    await options.checkSpace?.(located);
  });
  const archive = located.localPath ?? join(staging, name);
  if (!located.localPath) await step('fetch', () => services.r2!.fetch(name, archive));
  const verified = await step('verify', async () =>
    verifyArchive(archive, join(staging, 'members'), { listDump: options.listDump, ...(await verifyTarget(services)), expectedSha256: located.sha256 }),
  );
  return { located, verified };
}
