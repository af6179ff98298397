import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { queryDatabase } from '../../database/query-database.js';
import { extractTarball } from '../../restore/extract-tarball.js';
import type { VerifiedArchive } from '../../restore/verify-archive.js';
import type { DrillRun } from '../drill-run.js';

async function sha1Of(path: string): Promise<string | null> {
  const hash = createHash('sha1');
  try {
    await pipeline(createReadStream(path), hash);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return hash.digest('hex');
}

/**
 * Step `attachments`: the archive's filestore extracted into the staging
 * folder, and every file the scratch database's ir_attachment refers to
 * (store_fname) looked up there with its SHA-1, against `checksum` (and the
 * content-addressed name): missing or different files fail the check, named.
 * Skipped when the database has no ir_attachment. Writes only into staging.
 */
export async function checkAttachments(run: DrillRun, verified: VerifiedArchive): Promise<void> {
  await run.step('attachments', async () => {
    const { services, scratch } = run;
    const [[present]] = (await queryDatabase(services.database, scratch, "SELECT to_regclass('public.ir_attachment') IS NOT NULL", 'attachments')) as [[string]];
    if (present !== 't') {
      run.checks.push({ name: 'attachments', status: 'skipped', detail: 'the database has no ir_attachment table' });
      return;
    }
    const referenced = await queryDatabase(
      services.database,
      scratch,
      "SELECT DISTINCT store_fname, coalesce(checksum, '') FROM public.ir_attachment WHERE store_fname IS NOT NULL AND store_fname <> '' ORDER BY 1",
      'attachments',
    );
    const filestore = join(run.staging, 'filestore');
    await extractTarball(verified.members.filestore, filestore, verified.filestoreLayout, null);
    const missing: string[] = [];
    const mismatched: string[] = [];
    for (const [storeFname, checksum] of referenced) {
      // store_fname comes from the backup: only `<xx>/<sha1>`-like relative paths are looked up.
      if (!/^[0-9a-zA-Z_.-]+(\/[0-9a-zA-Z_.-]+)*$/.test(storeFname!) || storeFname!.split('/').includes('..')) {
        mismatched.push(`${storeFname} (not a filestore path)`);
        continue;
      }
      const sha1 = await sha1Of(join(filestore, storeFname!));
      if (sha1 === null) missing.push(storeFname!);
      else if ((checksum && sha1 !== checksum) || (/^[0-9a-f]{40}$/.test(storeFname!.split('/').pop()!) && sha1 !== storeFname!.split('/').pop())) mismatched.push(storeFname!);
    }
    const list = (names: string[]) => names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
    const problems = [...(missing.length ? [`${missing.length} missing from the archive's filestore: ${list(missing)}`] : []), ...(mismatched.length ? [`${mismatched.length} with another SHA-1: ${list(mismatched)}`] : [])];
    run.checks.push(
      problems.length === 0
        ? { name: 'attachments', status: 'passed', detail: `${referenced.length} files referenced, all present with their SHA-1` }
        : { name: 'attachments', status: 'failed', detail: problems.join('; ') },
    );
  });
}
