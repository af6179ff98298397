import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every content-addressed file under a database's filestore directory, as
 * `xx/<sha1>` paths: two levels of readdir, no stat. Anything else (Odoo's
 * `checklist/` marks, stray files) is skipped and counted. A missing
 * filestore is an empty one.
 */
export async function walkFilestore(filestoreDir: string): Promise<{ files: string[]; skipped: number }> {
  const files: string[] = [];
  let skipped = 0;
  let top;
  try {
    top = await readdir(filestoreDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files, skipped };
    throw error;
  }
  for (const dir of top) {
    if (!dir.isDirectory() || !/^[0-9a-f]{2}$/.test(dir.name)) {
      skipped++;
      continue;
    }
    for (const entry of await readdir(join(filestoreDir, dir.name), { withFileTypes: true })) {
      if (entry.isFile() && /^[0-9a-f]{40}$/.test(entry.name) && entry.name.startsWith(dir.name)) files.push(`${dir.name}/${entry.name}`);
      else skipped++;
    }
  }
  return { files, skipped };
}
