import { describe, expect, it } from 'vitest';
import { ADDONS_LAYOUT, TarEntryChecker, type TarEntryLike } from '../../services/restore/tar-entry-checker.js';

const filestore = () => new TarEntryChecker({ links: 'none', select: ['filestore', 'odoo'] });
const addons = () => new TarEntryChecker(ADDONS_LAYOUT.rules);
/** The first refusal of a sequence of entries, or null when all pass. */
function firstProblem(checker: TarEntryChecker, entries: TarEntryLike[]): string | null {
  for (const entry of entries) {
    const verdict = checker.check(entry);
    if ('problem' in verdict) return verdict.problem;
  }
  return null;
}
const file = (path: string): TarEntryLike => ({ path, type: 'File' });
const dir = (path: string): TarEntryLike => ({ path, type: 'Directory' });
const symlink = (path: string, linkpath: string): TarEntryLike => ({ path, type: 'SymbolicLink', linkpath });
const hardLink = (path: string, linkpath: string): TarEntryLike => ({ path, type: 'Link', linkpath });

describe('TarEntryChecker: the rules shared by verification and extraction', () => {
  it('passes an Odoo filestore below ./, and skips the rest of an old data dir without refusing it', () => {
    const checker = filestore();
    const verdicts = ['./', './filestore/', './filestore/odoo/', './filestore/odoo/ab/abcdef', './sessions/werkzeug_x.sess', './filestore/other/cd/cdef'].map((p) =>
      checker.check(p.endsWith('/') ? dir(p) : file(p)),
    );
    expect(verdicts.map((v) => ('extract' in v ? v.extract : v.problem))).toEqual([false, false, true, true, false, false]);
  });

  it('refuses paths that leave the target, naming the path and the problem', () => {
    expect(firstProblem(filestore(), [file('../x')])).toMatch(/"\.\.\/x" has a '\.\.' part/);
    expect(firstProblem(filestore(), [file('/etc/x')])).toMatch(/"\/etc\/x" is an absolute path/);
    expect(firstProblem(filestore(), [file('filestore/odoo/a/../../x')])).toMatch(/has a '\.\.' part/);
  });

  it('refuses every link in the filestore, devices and FIFOs anywhere', () => {
    expect(firstProblem(filestore(), [symlink('filestore/odoo/ab', 'cd')])).toMatch(/is a symbolic link .*filestore never holds links/);
    expect(firstProblem(filestore(), [file('filestore/odoo/a'), hardLink('filestore/odoo/b', 'filestore/odoo/a')])).toMatch(/is a hard link/);
    expect(firstProblem(filestore(), [{ path: 'filestore/odoo/dev', type: 'CharacterDevice' }])).toMatch(/character device: only files and folders/);
    expect(firstProblem(filestore(), [{ path: 'sessions/fifo', type: 'FIFO' }])).toMatch(/FIFO/);
    expect(firstProblem(filestore(), [symlink('filestore', '/tmp')])).toMatch(/a link where the folder filestore\/odoo should be/);
  });

  it('addons: relative symlinks inside the tree and hard links to earlier files pass', () => {
    expect(firstProblem(addons(), [dir('./vendor/'), dir('./vendor/mod/'), file('./vendor/mod/__init__.py'), symlink('./mod', 'vendor/mod'), hardLink('./copy.py', './vendor/mod/__init__.py')])).toBeNull();
  });

  it('addons: refuses links leading out, writing through a link, and a folder later turned into a link', () => {
    expect(firstProblem(addons(), [symlink('./passwd', '/etc/passwd')])).toMatch(/is absolute or empty/);
    expect(firstProblem(addons(), [dir('./a/'), symlink('./a/up', '../../..')])).toMatch(/leads outside the restored folder/);
    expect(firstProblem(addons(), [hardLink('./pw', '/etc/passwd')])).toMatch(/hard link .*absolute/);
    expect(firstProblem(addons(), [hardLink('./pw', 'missing')])).toMatch(/not a file earlier in the tarball/);
    expect(firstProblem(addons(), [dir('./sub/'), symlink('./lnk', 'sub'), file('./lnk/evil')])).toMatch(/goes through the symbolic link "lnk"/);
    // `a -> d/..` is the root only while d is a real folder: d may not become a link afterwards.
    expect(firstProblem(addons(), [symlink('./a', 'd/..'), symlink('./d', '.')])).toMatch(/"\.\/d" appears twice/);
  });
});
