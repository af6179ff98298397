import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { OperationError } from '../operation-error.js';
import { postgresMajor } from '../restore/verify-archive.js';

/** manifest.json above this is not Odoo's (it holds a few hundred module names). */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

export interface OdooZip {
  zip: yauzl.ZipFile;
  dump: yauzl.Entry;
  /** `filestore/<rel>` files, with `rel` already checked. */
  filestore: Array<{ entry: yauzl.Entry; rel: string }>;
  filestoreBytes: number;
  manifest: Record<string, unknown> | null;
  /** Entries Odoo's restore ignores too (it extracts only dump.sql and filestore/). */
  ignored: string[];
}

/** What a zip entry's name and Unix mode allow, or the reason it is refused. */
export function entryProblem(name: string, externalFileAttributes: number): string | null {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) return `an absolute or Windows path (${name.slice(0, 100)})`;
  if (name.split('/').some((part) => part === '..')) return `a path leaving the folder (${name.slice(0, 100)})`;
  const type = (externalFileAttributes >>> 16) & S_IFMT;
  // Made on Windows or by tools that set no Unix mode: 0, a plain file or folder.
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) return `a link or special file (${name.slice(0, 100)})`;
  return null;
}

/**
 * Opens Odoo's database-manager (or Odoo.sh) zip `file` and checks every
 * entry from the central directory before any data is read or written: no
 * absolute path, no `..`, no link or special file (refused: OperationError
 * 'verify'); `dump.sql` present; manifest.json read (bounded). Reads only;
 * the caller closes `zip`.
 */
export async function readOdooZip(file: string): Promise<OdooZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: true, strictFileNames: true });
  } catch (error) {
    throw new OperationError('verify', `not a readable zip (${(error as Error).message}); nothing was changed`);
  }
  try {
    const entries: yauzl.Entry[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push(entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      // yauzl refuses `../x` and `/x` itself (validateFileName): said the same way.
      zip.on('error', (error: Error) => reject(new OperationError('verify', `the zip is refused: ${error.message}; nothing was written`)));
      zip.readEntry();
    });
    const filestore: OdooZip['filestore'] = [];
    const ignored: string[] = [];
    let dump: yauzl.Entry | null = null;
    let manifestEntry: yauzl.Entry | null = null;
    let filestoreBytes = 0;
    for (const entry of entries) {
      const problem = entryProblem(entry.fileName, entry.externalFileAttributes);
      if (problem) throw new OperationError('verify', `the zip holds ${problem}: refused, nothing was written`);
      if (entry.fileName.endsWith('/')) continue;
      if (entry.fileName === 'dump.sql') dump = entry;
      else if (entry.fileName === 'manifest.json') manifestEntry = entry;
      else if (entry.fileName.startsWith('filestore/')) {
        const rel = entry.fileName.slice('filestore/'.length).split('/').filter((p) => p !== '' && p !== '.').join('/');
        if (rel) {
          filestore.push({ entry, rel });
          filestoreBytes += entry.uncompressedSize;
        }
      } else ignored.push(entry.fileName);
    }
    if (!dump) throw new OperationError('verify', 'the zip holds no dump.sql: not an Odoo database-manager backup; nothing was changed');
    let manifest: Record<string, unknown> | null = null;
    if (manifestEntry) {
      if (manifestEntry.uncompressedSize > MAX_MANIFEST_BYTES) throw new OperationError('verify', 'manifest.json is too large to be Odoo\'s; nothing was changed');
      const text = (await streamText(await zip.openReadStreamPromise(manifestEntry))).trim();
      try {
        manifest = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new OperationError('verify', 'manifest.json is not JSON; nothing was changed');
      }
    }
    return { zip, dump, filestore, filestoreBytes, manifest, ignored };
  } catch (error) {
    zip.close();
    throw error;
  }
}

async function streamText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface ManifestFindings {
  /** Refusals: Odoo major not 17, PostgreSQL newer than the server. */
  problems: string[];
  warnings: string[];
}

/**
 * Odoo's manifest against this stack: `major_version` must be 17.x (a 16 or 18
 * database needs Odoo's own upgrade), `pg_version` not newer than the server's
 * major, and the installed modules that neither ADDONS_DIR nor Odoo's own
 * addons (`odooModules`, null when unknown) provide are listed as a warning.
 */
export async function checkOdooManifest(manifest: Record<string, unknown> | null, serverVersion: string | null, addonsDir: string, odooModules: Set<string> | null): Promise<ManifestFindings> {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (!manifest) {
    warnings.push('the zip has no manifest.json: its Odoo and PostgreSQL versions could not be checked');
    return { problems, warnings };
  }
  const major = String(manifest.major_version ?? manifest.version ?? '');
  if (!/^(saas~)?17\./.test(major)) problems.push(`it is a database of Odoo ${major || 'unknown'}, this stack runs Odoo 17`);
  const theirs = postgresMajor(String(manifest.pg_version ?? ''));
  const ours = serverVersion ? postgresMajor(serverVersion) : null;
  if (theirs !== null && ours !== null && theirs > ours) problems.push(`it comes from PostgreSQL ${manifest.pg_version}, newer than the server's ${serverVersion}`);
  const modules = Object.keys((manifest.modules as Record<string, unknown> | undefined) ?? {});
  const available = new Set<string>(odooModules ?? []);
  for (const name of await readdir(addonsDir).catch(() => [] as string[])) {
    if (await stat(join(addonsDir, name, '__manifest__.py')).then(() => true, () => false)) available.add(name);
  }
  const missing = modules.filter((m) => !available.has(m)).sort();
  if (missing.length > 0) {
    const shown = missing.slice(0, 20).join(', ') + (missing.length > 20 ? ` and ${missing.length - 20} more` : '');
    warnings.push(`modules installed in the zip's database that ${odooModules ? "neither ADDONS_DIR nor Odoo's own addons provide" : "ADDONS_DIR does not provide (Odoo's own addons could not be listed)"}: ${shown}`);
  }
  return { problems, warnings };
}
