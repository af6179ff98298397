import { chown, mkdir } from 'node:fs/promises';
import * as tar from 'tar';
import { RESTORED_MODE_MASK, TarEntryChecker, type TarballLayout } from './tar-entry-checker.js';

export interface Owner {
  uid: number;
  gid: number;
}

/**
 * Extracts the gzip tar `file` into the new directory `target`, dropping the
 * first `layout.strip` path components (filestore.tar.gz holds `filestore/<db>/…`)
 * and skipping entries outside `layout.rules.select` (an old archive's other
 * databases, sessions…). Every entry passes the same TarEntryChecker as
 * verification: an entry it refuses (a path or link leaving the target, a
 * device, a FIFO…) is never written and makes the extraction fail. Files and
 * folders are owned by `owner` (the user Odoo runs as) whatever the archive
 * says, and never get setuid, setgid or sticky bits. The caller removes
 * `target` on failure.
 */
export async function extractTarball(file: string, target: string, layout: TarballLayout, owner: Owner | null): Promise<void> {
  await mkdir(target, { recursive: false });
  if (owner) await chown(target, owner.uid, owner.gid);
  const checker = new TarEntryChecker(layout.rules);
  let refused: string | null = null;
  await tar.x({
    file,
    cwd: target,
    strip: layout.strip,
    strict: true,
    ...(owner ? { uid: owner.uid, gid: owner.gid } : { preserveOwner: false }),
    filter: (_path, entry) => {
      if (refused) return false;
      const verdict = checker.check(entry as tar.ReadEntry);
      if ('problem' in verdict) {
        refused = verdict.problem;
        return false;
      }
      if (!verdict.extract) return false;
      const readEntry = entry as tar.ReadEntry;
      if (typeof readEntry.mode === 'number') readEntry.mode &= RESTORED_MODE_MASK;
      return true;
    },
  });
  if (refused) throw new Error(`refusing to extract: ${refused}`);
}
