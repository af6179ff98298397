import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { freeBytesAt, shortfalls, type SpaceNeed } from '../../free-space.js';
import { OperationError } from '../../operation-error.js';
import type { Services } from '../../services.js';
import type { Owner } from '../extract-tarball.js';
import type { VerifiedArchive } from '../verify-archive.js';
import type { RestoreRun } from './restore-run.js';

/** Step `space` (again, with exact figures): see checkRoomToRestore. */
export function checkRoomBesideLive(run: RestoreRun, verified: VerifiedArchive): Promise<Owner | null> {
  return run.step('space', () => checkRoomToRestore(run.services, verified, run.request.withAddons === true));
}

/**
 * Before anything live is touched: room for the restored filestore (and addons)
 * beside the live ones and for a second copy of the database; the owner the
 * files must get (the user Odoo runs as). Returns that owner.
 */
async function checkRoomToRestore(services: Services, verified: VerifiedArchive, withAddons: boolean): Promise<Owner | null> {
  const { odooDataDir, addonsDir, database } = services.settings;
  const liveSize = (await services.databaseAdmin.sizeOf(database)) ?? 0;
  const needs: SpaceNeed[] = [
    { what: `the Odoo data dir (${odooDataDir}): the restored filestore`, neededBytes: verified.filestoreBytes, freeBytes: await freeBytesAt(odooDataDir) },
    { what: `the database server: a second copy of ${database} while both exist`, neededBytes: liveSize, freeBytes: await services.databaseAdmin.freeBytes() },
  ];
  if (withAddons) needs.push({ what: `ADDONS_DIR (${addonsDir}): the restored addons`, neededBytes: verified.addonsBytes, freeBytes: await freeBytesAt(addonsDir) });
  const short = shortfalls(needs);
  if (short.length > 0) throw new OperationError('space', `not enough disk space: ${short.join('; ')}; nothing was changed`);

  // Odoo stopped (the restore may be the repair): the live filestore's owner is Odoo's.
  const owner = (await services.odoo.runsAs()) ?? (await ownerOf(join(odooDataDir, 'filestore')));
  const me = process.getuid?.() ?? 0;
  if (owner && me !== 0 && me !== owner.uid) {
    throw new OperationError('space', `odoo-ops runs as uid ${me} but Odoo as uid ${owner.uid}: restored files would not be Odoo's; run odoo-ops as root or as uid ${owner.uid}`);
  }
  return owner && me === 0 ? owner : null;
}

async function ownerOf(path: string): Promise<{ uid: number; gid: number } | null> {
  const info = await stat(path).catch(() => null);
  return info ? { uid: info.uid, gid: info.gid } : null;
}
