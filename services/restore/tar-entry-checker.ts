/**
 * The one set of rules every entry of filestore.tar.gz and addons.tar.gz must
 * follow, applied by verification (so an archive that verifies restores) and
 * again by extraction (so nothing that slipped past is ever written). Pure
 * string checks, no I/O; stateful only to follow the links and folders seen
 * earlier in the same tarball, so both callers must feed it every entry in
 * archive order.
 *
 * Links: Odoo's filestore never holds one (attachments are plain files named
 * by their SHA-1), and a link is the usual way out of the target, so the
 * filestore refuses them all. Custom addons are often git checkouts where a
 * module is a relative symlink to a sibling (`my_module -> vendor/oca/my_module`):
 * addons allow symbolic links that stay inside the tree, resolved through real
 * folders only, and hard links to a file of the same tarball.
 */

/** What an entry looks like to the rules (a node-tar ReadEntry fits). */
export interface TarEntryLike {
  path: string;
  type: string;
  linkpath?: string;
}

export interface TarRules {
  /** 'none': every link refused (the filestore); 'in-tree': links that stay inside the extracted tree (addons). */
  links: 'none' | 'in-tree';
  /**
   * The folder extracted, as path parts (after any leading `./`); entries
   * outside it are checked for their path and type, then skipped. Empty: all.
   */
  select: string[];
}

/** How a member tarball is extracted: leading path parts dropped, and the rules its entries follow. */
export interface TarballLayout {
  strip: number;
  rules: TarRules;
}

/** addons.tar.gz holds the addons directory as `./…`: all of it, links inside the tree allowed. */
export const ADDONS_LAYOUT: TarballLayout = { strip: 0, rules: { links: 'in-tree', select: [] } };

/** Permission bits kept on restored files: never setuid, setgid or sticky. */
export const RESTORED_MODE_MASK = 0o777;

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const DIRECTORY_TYPES = new Set(['Directory', 'GNUDumpDir']);
const TYPE_NAMES: Record<string, string> = {
  CharacterDevice: 'a character device',
  BlockDevice: 'a block device',
  FIFO: 'a FIFO (named pipe)',
};

export type EntryVerdict = { extract: boolean; parts: string[] } | { problem: string };

/** An entry's path as parts, without `.` and empty parts; null when absolute. */
function pathParts(path: string): string[] | null {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('\\')) return null;
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

const startsWith = (parts: string[], prefix: string[]) => prefix.every((part, i) => parts[i] === part);

export class TarEntryChecker {
  /** What each path seen so far is: real folders (given or implied), files and symbolic links. */
  private readonly kinds = new Map<string, 'dir' | 'file' | 'symlink'>();

  constructor(private readonly rules: TarRules) {}

  /**
   * Whether `entry` may be extracted (`extract`, with its path parts), is to be
   * skipped (outside the selected folder), or is refused (`problem`, said for a
   * user: what is wrong with which path).
   */
  check(entry: TarEntryLike): EntryVerdict {
    const refuse = (why: string): EntryVerdict => ({ problem: `${JSON.stringify(entry.path)} ${why}` });
    const parts = pathParts(entry.path);
    if (parts === null) return refuse('is an absolute path');
    if (parts.includes('..')) return refuse("has a '..' part");
    const isDir = DIRECTORY_TYPES.has(entry.type);
    const isFile = FILE_TYPES.has(entry.type);
    const isSymlink = entry.type === 'SymbolicLink';
    const isHardLink = entry.type === 'Link';
    if (!isDir && !isFile && !isSymlink && !isHardLink) return refuse(`is ${TYPE_NAMES[entry.type] ?? `an entry of type ${entry.type}`}: only files and folders are restored`);

    const { select } = this.rules;
    const inside = startsWith(parts, select);
    if (!inside) {
      // The selected folder's parents must be real folders; anything else beside it is skipped.
      if (startsWith(select, parts) && !isDir) return refuse(`is ${isSymlink || isHardLink ? 'a link' : 'a file'} where the folder ${select.join('/')} should be`);
      return { extract: false, parts };
    }
    if (parts.length === select.length && !isDir) return refuse('replaces the folder being restored');

    for (let i = select.length + 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const kind = this.kinds.get(parent);
      if (kind === 'symlink') return refuse(`goes through the symbolic link ${JSON.stringify(parent)}`);
      if (kind === 'file') return refuse(`is below the file ${JSON.stringify(parent)}`);
      this.kinds.set(parent, 'dir');
    }
    const key = parts.join('/');
    const seen = this.kinds.get(key);
    if (seen !== undefined && !(seen === 'dir' && isDir)) return refuse('appears twice in the tarball');

    if (isSymlink || isHardLink) {
      const what = isSymlink ? 'a symbolic link' : 'a hard link';
      if (this.rules.links === 'none') return refuse(`is ${what} (to ${JSON.stringify(entry.linkpath ?? '')}): the filestore never holds links`);
      const problem = isSymlink ? this.symlinkProblem(parts, entry.linkpath ?? '') : this.hardLinkProblem(entry.linkpath ?? '');
      if (problem) return refuse(`is ${what} to ${JSON.stringify(entry.linkpath ?? '')}, which ${problem}`);
    }
    this.kinds.set(key, isDir ? 'dir' : isSymlink ? 'symlink' : 'file');
    return { extract: true, parts };
  }

  /**
   * A symbolic link must resolve inside the selected folder, walking only
   * through real folders: each folder it walks through is remembered as one,
   * so no later entry can turn it into a link (which would move the target).
   */
  private symlinkProblem(parts: string[], linkpath: string): string | null {
    if (linkpath === '' || pathParts(linkpath) === null) return 'is absolute or empty';
    const steps = linkpath.split('/').filter((part) => part !== '' && part !== '.');
    const at = parts.slice(0, -1);
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (step === '..') {
        if (at.length <= this.rules.select.length) return 'leads outside the restored folder';
        at.pop();
        continue;
      }
      at.push(step);
      if (i === steps.length - 1) break;
      const kind = this.kinds.get(at.join('/'));
      if (kind === 'symlink') return `goes through the symbolic link ${JSON.stringify(at.join('/'))}`;
      if (kind === 'file') return `goes through the file ${JSON.stringify(at.join('/'))}`;
      this.kinds.set(at.join('/'), 'dir');
    }
    return null;
  }

  /** A hard link must name a file seen earlier in the same folder (which is how tar writes one). */
  private hardLinkProblem(linkpath: string): string | null {
    const target = pathParts(linkpath);
    if (target === null || linkpath === '') return 'is absolute or empty';
    if (target.includes('..') || !startsWith(target, this.rules.select)) return 'leads outside the restored folder';
    if (this.kinds.get(target.join('/')) !== 'file') return 'is not a file earlier in the tarball';
    return null;
  }
}
