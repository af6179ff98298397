import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractTarball } from '../../services/restore/extract-tarball.js';
import { ADDONS_LAYOUT } from '../../services/restore/tar-entry-checker.js';
import { gzipTar, type CraftedEntry } from '../helpers/craft-archive.js';

async function tarball(entries: CraftedEntry[]): Promise<{ file: string; root: string }> {
  const root = await mkdtemp(join(tmpdir(), 'odoo-ops-extract-'));
  const file = join(root, 'member.tar.gz');
  await writeFile(file, gzipTar(entries));
  return { file, root };
}
const filestoreLayout = { strip: 2, rules: { links: 'none' as const, select: ['filestore', 'odoo'] } };

describe('extractTarball applies the verification rules itself', () => {
  it('refuses a symlinked folder in the filestore and writes nothing through it', async () => {
    const { file, root } = await tarball([
      { path: 'filestore/odoo/ab', type: 'SymbolicLink', linkpath: '..' },
      { path: 'filestore/odoo/ab/planted', data: 'x' },
    ]);
    await expect(extractTarball(file, join(root, 'out'), filestoreLayout, null)).rejects.toThrow(/"filestore\/odoo\/ab" is a symbolic link/);
    expect((await readdir(root)).sort()).toEqual(['member.tar.gz', 'out']);
    expect(await readdir(join(root, 'out'))).toEqual([]);
  });

  it('restores only the selected folder of an old data dir, without setuid, setgid or sticky bits', async () => {
    const { file, root } = await tarball([
      { path: './filestore/odoo/ab/', type: 'Directory', mode: 0o3777 },
      { path: './filestore/odoo/ab/suid', data: 'x', mode: 0o4755 },
      { path: './filestore/other/cd/f', data: 'y' },
      { path: './sessions/s', data: 'z' },
    ]);
    const out = join(root, 'out');
    await extractTarball(file, out, { ...filestoreLayout, strip: 3 }, null);
    expect(await readdir(out)).toEqual(['ab']);
    expect((await stat(join(out, 'ab'))).mode & 0o7000).toBe(0);
    expect((await stat(join(out, 'ab', 'suid'))).mode & 0o7777).toBe(0o755);
  });

  it('addons keep an in-tree relative symlink, refuse a FIFO', async () => {
    const ok = await tarball([{ path: './vendor/mod/__init__.py', data: '#' }, { path: './mod', type: 'SymbolicLink', linkpath: 'vendor/mod' }]);
    await extractTarball(ok.file, join(ok.root, 'out'), ADDONS_LAYOUT, null);
    expect((await stat(join(ok.root, 'out', 'mod', '__init__.py'))).isFile()).toBe(true);
    const fifo = await tarball([{ path: './pipe', type: 'FIFO' }]);
    await expect(extractTarball(fifo.file, join(fifo.root, 'out'), ADDONS_LAYOUT, null)).rejects.toThrow(/"\.\/pipe" is a FIFO/);
  });
});
