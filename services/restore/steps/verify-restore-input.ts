import { rm } from 'node:fs/promises';
import { OperationError } from '../../operation-error.js';
import { freeBytesAt, shortfalls } from '../../free-space.js';
import { fetchAndVerify } from '../fetch-and-verify.js';
import type { VerifiedArchive } from '../verify-archive.js';
import type { RestoreRun } from './restore-run.js';

/**
 * Steps `locate`, `space`, `fetch` and `verify`: the backup found, BACKUP_DIR
 * checked for room (the fetched archive, its members, the archive of the data
 * the switch sets aside, the safety backup when asked), fetched and proven
 * good, registering the removal of the run's staging folder. Throws (nothing
 * was changed) when it is not good.
 */
export async function verifyRestoreInput(run: RestoreRun): Promise<VerifiedArchive> {
  const { services, request, staging } = run;
  run.cleanup.defer(() => rm(staging, { recursive: true, force: true }));
  const { verified } = await fetchAndVerify(services, request.name, staging, run.step, {
    listDump: request.verify?.listDump,
    checkSpace: async (located) => {
      const size = located.sizeBytes;
      const short = shortfalls([
        {
          what: `BACKUP_DIR (${services.settings.backupDir}): ${located.localPath ? '' : 'the fetched archive, '}its extracted members, the archive of the data the switch sets aside${request.safetyBackup === true ? ' and the safety backup' : ''}`,
          // The set-aside data is archived after the switch: room for it is checked now, before anything changes.
          neededBytes: (located.localPath ? 0 : size) + 2 * size + (request.safetyBackup === true ? size : 0),
          freeBytes: await freeBytesAt(staging),
        },
      ]);
      if (short.length > 0) throw new OperationError('space', `not enough disk space: ${short.join('; ')}; nothing was changed`);
    },
  });
  run.report.checks = verified.checks;
  if (!verified.ok) {
    const failed = verified.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`);
    throw new OperationError('verify', `${request.name} failed verification (${failed.join('; ')}); nothing was changed`);
  }
  if (!verified.manifest) run.warnings.push(`${request.name} has no manifest.json (old layout): it was checked for integrity, not by checksum`);
  run.warnings.push(...verified.warnings);
  return verified;
}
