import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OperationError } from '../../operation-error.js';
import { listBackups } from '../../storage/backup-catalog.js';
import { locateBackup } from '../../restore/locate-backup.js';
import { verifyTarget } from '../../restore/fetch-and-verify.js';
import { verifyArchive, type VerifiedArchive } from '../../restore/verify-archive.js';
import type { DrillRun } from '../drill-run.js';

/**
 * Steps `locate`, `fetch`, `verify`: the backup named (or the newest), taken
 * from R2 whenever R2 holds it (the drill proves the off-site copy; a local
 * copy is used only when R2 is not configured or lacks it), checked by
 * verifyArchive against the server and R2's recorded SHA-256, members extracted
 * into the staging folder (removed by the cleanup). Throws when it is not good.
 */
export async function fetchDrillArchive(run: DrillRun, requested: string | undefined): Promise<{ name: string; source: 'local' | 'r2'; verified: VerifiedArchive }> {
  const { services, step, staging } = run;
  run.cleanup.defer(() => rm(staging, { recursive: true, force: true }));
  const name = await step('locate', async () => {
    if (requested) return requested;
    const listing = await listBackups(services.r2 ? [services.r2] : [services.local], services.settings.timeZone);
    if (listing.unreachable.length > 0) throw new OperationError('locate', `cannot list the backups: ${listing.unreachable.map((u) => `${u.location}: ${u.message}`).join('; ')}`);
    const newest = listing.backups[0]?.name;
    if (!newest) throw new OperationError('locate', `no backup to drill in ${services.r2 ? 'R2' : 'BACKUP_DIR'}`);
    return newest;
  });
  const located = await step('locate', () => locateBackup(services, name));
  await mkdir(join(staging, 'members'), { recursive: true, mode: 0o700 });
  const fromR2 = located.locations.includes('r2');
  const archive = fromR2 ? join(staging, name) : located.localPath!;
  if (fromR2) await step('fetch', () => services.r2!.fetch(name, archive));
  const verified = await step('verify', async () => verifyArchive(archive, join(staging, 'members'), { ...(await verifyTarget(services)), expectedSha256: located.sha256 }));
  const failed = verified.checks.filter((c) => !c.ok);
  run.checks.push({ name: 'verify', status: verified.ok ? 'passed' : 'failed', detail: verified.ok ? `${verified.checks.length} checks passed${fromR2 ? ' on the copy in R2' : ''}` : failed.map((c) => `${c.check}: ${c.detail}`).join('; ') });
  if (!verified.ok) throw new OperationError('verify', `${name} failed verification: ${failed.map((c) => `${c.check}: ${c.detail}`).join('; ')}`);
  return { name, source: fromR2 ? 'r2' : 'local', verified };
}
