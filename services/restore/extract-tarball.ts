import { chown, mkdir } from 'node:fs/promises';
import * as tar from 'tar';

export interface Owner {
  uid: number;
  gid: number;
}

/**
 * Extracts the gzip tar `file` into the new directory `target`, dropping the
 * first `strip` path components (filestore.tar.gz holds `filestore/<db>/…`),
 * every file and directory owned by `owner` (the user Odoo runs as) whatever
 * the archive says. Refuses paths that leave `target` (node-tar's default).
 * The caller removes `target` on failure.
 */
export async function extractTarball(file: string, target: string, strip: number, owner: Owner | null): Promise<void> {
  await mkdir(target, { recursive: false });
  if (owner) await chown(target, owner.uid, owner.gid);
  await tar.x({ file, cwd: target, strip, strict: true, ...(owner ? { uid: owner.uid, gid: owner.gid } : { preserveOwner: false }) });
}
