import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { parseFilestoreIndex, type FilestoreIndexEntry } from '../attachment-store/filestore-index.js';
import { FILESTORE_INDEX, MANIFEST_FORMAT_VERSION, MEMBERS, parseArchiveManifest, type ArchiveManifest } from '../backup/archive-manifest.js';
import { HashingCounter } from '../backup/hashing-writer.js';
import { ADDONS_LAYOUT, TarEntryChecker, type TarballLayout, type TarRules } from './tar-entry-checker.js';

/** One check of a verification, as shown to the user. */
export interface ArchiveCheck {
  check: string;
  ok: boolean;
  detail: string;
}

/** Where the verified members were extracted, and what the checks found. */
export interface VerifiedArchive {
  /** True when every check passed. */
  ok: boolean;
  checks: ArchiveCheck[];
  /** Null for an archive of the old layout (no manifest.json): checked by integrity, not checksums. */
  manifest: ArchiveManifest | null;
  /** The archive's own SHA-256. */
  sha256: string;
  /** The database the archive was taken of (manifest, else backup.info), when it says. */
  database: string | null;
  /** Paths of the extracted members. */
  members: { dump: string; filestore: string; addons: string | null };
  /** Bytes the filestore and addons take once extracted. */
  filestoreBytes: number;
  /** How to extract filestore.tar.gz: which folder (`filestore/<db>/`), how many leading path parts to drop, its rules. */
  filestoreLayout: TarballLayout;
  /** A backup of the second kind: the files filestore.index names (restore them with restoreFromStore). */
  storeEntries?: FilestoreIndexEntry[];
  addonsBytes: number;
  /** What a restore of this archive should tell the user though the checks passed (another database, parts ignored). */
  warnings: string[];
}

export interface VerifyOptions {
  /** The archive's SHA-256 as the store recorded it (R2 metadata), when known. */
  expectedSha256?: string;
  /** Runs `pg_restore --list` on a dump file; resolves with the listing. Defaults to the local PostgreSQL client. */
  listDump?: (file: string) => Promise<string>;
  /**
   * The target server's version (`SHOW server_version`): an archive whose dump
   * comes from a newer PostgreSQL major is refused. Unset: not compared (the
   * result says so).
   */
  serverPostgresVersion?: string;
  /** POSTGRES_DB: the database a restore replaces; an archive of another one is allowed, with a warning. */
  database?: string;
}

/** The major version in a PostgreSQL version string ("15.14 (Debian …)" → 15, "9.6.24" → 9.6), or null. */
export function postgresMajor(version: string): number | null {
  const match = /^\s*(\d+)(?:\.(\d+))?/.exec(version);
  if (!match) return null;
  const first = Number(match[1]);
  // Before 10 the major was two numbers (9.6); from 10 on it is one.
  return first >= 10 ? first : Number(`${first}.${match[2] ?? 0}`);
}

const execFileAsync = promisify(execFile);

/** `pg_restore --list` of a custom-format dump, by the PostgreSQL client tools beside the bot. */
export async function listDumpLocally(file: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('pg_restore', ['--list', file], { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error('pg_restore is not installed beside odoo-ops (install the PostgreSQL 15 client tools)');
    throw new Error(failure.stderr?.trim().split('\n').slice(-2).join(' ') || failure.message);
  }
}

/**
 * Reads the (gzip) tar `file` through `tap` to its end, handing each entry to
 * `onEntry`, which must consume or resume it. Rejects on any damage: node-tar
 * only warns about a truncated archive unless strict.
 */
function parseTar(file: string, tap: HashingCounter, onEntry: (entry: tar.ReadEntry) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const parser = new tar.Parser({ strict: true, onReadEntry: onEntry });
    parser.on('error', reject);
    parser.on('end', () => resolve());
    const source = createReadStream(file);
    source.on('error', reject);
    tap.on('error', reject);
    source.pipe(tap).pipe(parser as unknown as NodeJS.WritableStream);
  });
}

interface TarEntryInfo {
  path: string;
  type: string;
  linkpath?: string;
  size: number;
}

/** Every entry of a gzip tar, read to its end (which proves gzip and tar are intact). */
async function tarballEntries(file: string): Promise<TarEntryInfo[]> {
  const entries: TarEntryInfo[] = [];
  await parseTar(file, new HashingCounter(), (entry) => {
    entries.push({ path: entry.path, type: entry.type, linkpath: entry.linkpath, size: entry.size ?? 0 });
    entry.resume();
  });
  return entries;
}

/**
 * Runs every entry through the rules extraction applies (TarEntryChecker, in
 * archive order): the first refusal, or the bytes the extracted entries take.
 */
function checkEntries(entries: TarEntryInfo[], rules: TarRules): { bytes: number } | { problem: string } {
  const checker = new TarEntryChecker(rules);
  let bytes = 0;
  for (const entry of entries) {
    const verdict = checker.check(entry);
    if ('problem' in verdict) return verdict;
    if (verdict.extract) bytes += entry.size;
  }
  return { bytes };
}

/**
 * Which folder of filestore.tar.gz is the database's filestore. Ours hold
 * `filestore/<db>/…`; the old scripts' held the whole Odoo data dir below `./`
 * (`filestore/<db>/`, other databases' folders, `sessions/`, `addons/`…): the
 * folder of the archive's database (`wanted`, else the only one) is taken and
 * the rest is skipped, said in `ignored`. Returns the layout to extract with.
 */
function filestoreLayout(entries: TarEntryInfo[], wanted: string): { layout: TarballLayout; ignored: string[] } | { problem: string } {
  const databases = new Set<string>();
  const others = new Set<string>();
  let dots: number | null = null;
  for (const entry of entries) {
    const parts = entry.path.split('/').filter((part) => part !== '');
    const lead = parts.findIndex((part) => part !== '.');
    if (lead < 0) continue;
    const rest = parts.slice(lead);
    if (rest[0] !== 'filestore') {
      others.add(rest[0]!);
      continue;
    }
    if (rest.length < 2) continue;
    databases.add(rest[1]!);
    if (rest[1] === wanted || dots === null) dots = lead;
  }
  const folder = databases.has(wanted) ? wanted : databases.size === 1 ? [...databases][0]! : null;
  if (folder === null) {
    return { problem: databases.size === 0 ? 'holds no filestore/<database>/ folder' : `holds filestore/${[...databases].join(', filestore/')} but not filestore/${wanted}` };
  }
  const ignored = [...[...databases].filter((db) => db !== folder).map((db) => `filestore/${db}`), ...others].sort();
  return { layout: { strip: (dots ?? 0) + 2, rules: { links: 'none', select: ['filestore', folder] } }, ignored };
}

/** `backup.info`'s key=value lines as a record. */
export function parseBackupInfo(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k!.trim(), v.join('=').trim()]),
  );
}

/**
 * Verification before anything is touched: reads `archive` once, extracting its
 * members into `membersDir` and hashing the archive and each member; then checks
 * the archive's SHA-256 against `expectedSha256`, every member against
 * manifest.json (or, for the old layout, that the required members are present),
 * that the manifest's format is one this odoo-ops writes, that the dump's
 * PostgreSQL major is not newer than `serverPostgresVersion`, that
 * filestore.tar.gz and addons.tar.gz read to their end as gzip tars and every
 * entry passes the rules their extraction applies (TarEntryChecker: paths,
 * links, entry types), and that `pg_restore --list` reads the dump. An archive
 * of another database than `database`, or an old filestore.tar.gz holding the
 * whole data dir, passes with a warning. Never throws for a bad archive: every
 * finding is a check in the result; throws when `membersDir` cannot be written.
 * Writes only into `membersDir`.
 */
export async function verifyArchive(archive: string, membersDir: string, options: VerifyOptions = {}): Promise<VerifiedArchive> {
  const checks: ArchiveCheck[] = [];
  const found = new Map<string, { path: string; sizeBytes: number; sha256: string }>();
  const texts = new Map<string, string>();
  const archiveHash = new HashingCounter();
  const writes: Promise<void>[] = [];
  const inFlight: HashingCounter[] = [];
  let readError: Error | null = null;
  let writeError: Error | null = null;
  try {
    await parseTar(archive, archiveHash, (entry) => {
          const member = entry.path.split('/').filter((part) => part !== '' && part !== '.').slice(1).join('/');
          const wanted = entry.type === 'File' && [...MEMBERS, FILESTORE_INDEX, 'backup.info', 'manifest.json'].includes(member);
          if (!wanted) {
            entry.resume();
            return;
          }
          const path = join(membersDir, member);
          const counter = new HashingCounter();
          inFlight.push(counter);
          const small = member === 'backup.info' || member === 'manifest.json' || member === FILESTORE_INDEX;
          const chunks: Buffer[] = [];
          const keep = new PassThrough();
          if (small) keep.on('data', (chunk: Buffer) => chunks.push(chunk));
          writes.push(
            pipeline(entry, counter, keep, createWriteStream(path)).then(
              () => {
                found.set(member, { path, sizeBytes: counter.bytes, sha256: counter.digest() });
                if (small) texts.set(member, Buffer.concat(chunks).toString('utf8'));
              },
              // Handled at once (an unhandled rejection would end the process):
              // the write failed (a full disk), so stop reading the archive.
              (error: unknown) => {
                writeError ??= error as Error;
                archiveHash.destroy(writeError);
              },
            ),
          );
    });
    await Promise.all(writes);
    if (writeError) throw writeError;
  } catch (error) {
    // Our disk failing says nothing about the archive: an error, not a finding.
    if (writeError) {
      for (const counter of inFlight) counter.destroy(writeError);
      await Promise.allSettled(writes);
      throw writeError;
    }
    readError = error as Error;
    // A damaged archive stops mid-entry: that entry's copy never ends on its own.
    for (const counter of inFlight) counter.destroy(readError);
    await Promise.allSettled(writes);
  }
  const sha256 = archiveHash.digest();
  const empty = {
    members: { dump: '', filestore: '', addons: null },
    filestoreBytes: 0,
    filestoreLayout: { strip: 2, rules: { links: 'none' as const, select: ['filestore'] } },
    addonsBytes: 0,
    warnings: [],
  };
  if (readError) {
    checks.push({ check: 'archive readable', ok: false, detail: `not a complete gzip tar: ${readError.message}` });
    return { ok: false, checks, manifest: null, sha256, database: null, ...empty };
  }
  checks.push({ check: 'archive readable', ok: true, detail: 'gzip and tar intact' });

  if (options.expectedSha256) {
    const same = options.expectedSha256 === sha256;
    checks.push({
      check: 'archive checksum',
      ok: same,
      detail: same ? `SHA-256 matches the stored ${sha256.slice(0, 12)}…` : `SHA-256 is ${sha256.slice(0, 12)}…, the store recorded ${options.expectedSha256.slice(0, 12)}…`,
    });
  }

  let manifest: ArchiveManifest | null = null;
  const manifestText = texts.get('manifest.json');
  if (manifestText !== undefined) {
    try {
      manifest = parseArchiveManifest(manifestText);
    } catch (error) {
      checks.push({ check: 'manifest', ok: false, detail: `manifest.json is not valid: ${(error as Error).message}` });
      return { ok: false, checks, manifest: null, sha256, database: null, ...empty };
    }
    for (const [member, expected] of Object.entries(manifest.members)) {
      const got = found.get(member);
      const ok = got !== undefined && got.sizeBytes === expected.sizeBytes && got.sha256 === expected.sha256;
      const detail = !got
        ? 'missing from the archive'
        : ok
          ? `${got.sizeBytes} bytes, SHA-256 matches`
          : `${got.sizeBytes} bytes, SHA-256 ${got.sha256.slice(0, 12)}…; manifest says ${expected.sizeBytes} bytes, ${expected.sha256.slice(0, 12)}…`;
      checks.push({ check: member, ok, detail });
    }
    for (const member of MEMBERS) {
      if (found.has(member) && !manifest.members[member]) checks.push({ check: member, ok: false, detail: 'in the archive but not in manifest.json' });
    }
    // A newer odoo-ops may write a layout this one misreads: refuse rather than guess.
    const format = manifest.formatVersion;
    const known = Number.isInteger(format) && format >= 1 && format <= MANIFEST_FORMAT_VERSION;
    checks.push({
      check: 'manifest format',
      ok: known,
      detail: known
        ? `format version ${format}`
        : `manifest.json has format version ${JSON.stringify(format)}; this odoo-ops reads versions 1 to ${MANIFEST_FORMAT_VERSION} (restore it with the odoo-ops that made it)`,
    });
  } else {
    checks.push({ check: 'manifest', ok: true, detail: 'none (archive of the old layout): members cannot be verified by checksum' });
  }
  // A backup of the second kind carries filestore.index instead of filestore.tar.gz (its files are in the attachment store).
  const storeKind = found.has(FILESTORE_INDEX) || manifest?.members[FILESTORE_INDEX] !== undefined;
  for (const required of ['database.dump', storeKind ? FILESTORE_INDEX : 'filestore.tar.gz'] as const) {
    if (!found.has(required) && !manifest?.members[required]) checks.push({ check: required, ok: false, detail: 'missing from the archive' });
  }
  let storeEntries: FilestoreIndexEntry[] | undefined;
  const indexText = texts.get(FILESTORE_INDEX);
  if (indexText !== undefined) {
    try {
      storeEntries = parseFilestoreIndex(indexText);
      const bytes = storeEntries.reduce((sum, e) => sum + e.size, 0);
      checks.push({ check: 'filestore.index readable', ok: true, detail: `${storeEntries.length} files, ${bytes} bytes, in the attachment store` });
    } catch (error) {
      checks.push({ check: 'filestore.index readable', ok: false, detail: (error as Error).message });
    }
  }

  const info = texts.get('backup.info');
  const infoValues = info ? parseBackupInfo(info) : {};
  const database = (typeof manifest?.database === 'string' && manifest.database) || infoValues.database || null;
  const warnings: string[] = [];
  if (database && options.database && database !== options.database) {
    warnings.push(`the archive is of the database "${database}", not POSTGRES_DB "${options.database}": a restore puts its data into "${options.database}"`);
  }

  // pg_restore reads dumps of its own major and older ones, never newer.
  const dumpVersion = (typeof manifest?.postgresVersion === 'string' && manifest.postgresVersion) || infoValues.postgres_version || null;
  const dumpMajor = dumpVersion ? postgresMajor(dumpVersion) : null;
  const serverMajor = options.serverPostgresVersion ? postgresMajor(options.serverPostgresVersion) : null;
  if (dumpMajor !== null && serverMajor !== null) {
    const ok = dumpMajor <= serverMajor;
    checks.push({
      check: 'PostgreSQL version',
      ok,
      detail: ok
        ? `dumped by PostgreSQL ${dumpMajor}, the server runs ${serverMajor}`
        : `dumped by PostgreSQL ${dumpMajor}, but the server runs ${serverMajor}: a dump of a newer PostgreSQL cannot be restored into an older one (restore it on a PostgreSQL ${dumpMajor} server)`,
    });
  } else {
    const why = dumpMajor === null ? 'the archive does not say which PostgreSQL made the dump' : 'the server did not say its version';
    checks.push({ check: 'PostgreSQL version', ok: true, detail: `not compared: ${why}` });
  }
  const members = { dump: found.get('database.dump')?.path ?? '', filestore: found.get('filestore.tar.gz')?.path ?? '', addons: found.get('addons.tar.gz')?.path ?? null };
  let filestoreBytes = 0;
  let filestorePlan: TarballLayout = empty.filestoreLayout;
  let addonsBytes = 0;
  if (checks.every((c) => c.ok)) {
    for (const [member, path] of [
      ['filestore.tar.gz', members.filestore],
      ['addons.tar.gz', members.addons],
    ] as const) {
      if (path === null || (member === 'filestore.tar.gz' && storeKind)) continue;
      let entries: TarEntryInfo[];
      try {
        entries = await tarballEntries(path);
      } catch (error) {
        checks.push({ check: `${member} readable`, ok: false, detail: `not a complete gzip tar: ${(error as Error).message}` });
        continue;
      }
      let layout = ADDONS_LAYOUT;
      if (member === 'filestore.tar.gz') {
        const picked = filestoreLayout(entries, database ?? options.database ?? '');
        if ('problem' in picked) {
          checks.push({ check: 'filestore.tar.gz layout', ok: false, detail: picked.problem });
          continue;
        }
        layout = filestorePlan = picked.layout;
        const folder = picked.layout.rules.select.join('/');
        if (picked.ignored.length > 0) {
          warnings.push(`filestore.tar.gz holds more than one filestore (an Odoo data dir, as the old backup.sh archived it): only ${folder} is restored; ignored: ${picked.ignored.join(', ')}`);
        }
      }
      // The same rules as the extraction: an archive that verifies restores.
      const checked = checkEntries(entries, layout.rules);
      if ('problem' in checked) {
        checks.push({ check: `${member} entries`, ok: false, detail: `would not be restored: ${checked.problem}` });
        continue;
      }
      if (member === 'filestore.tar.gz') filestoreBytes = checked.bytes;
      else addonsBytes = checked.bytes;
      checks.push({ check: `${member} readable`, ok: true, detail: `${checked.bytes} bytes of files, every path and entry type restorable` });
    }
    try {
      const listing = await (options.listDump ?? listDumpLocally)(members.dump);
      const tables = listing.split('\n').filter((line) => / TABLE DATA /.test(line)).length;
      checks.push({ check: 'database.dump readable', ok: true, detail: `pg_restore --list reads it: ${tables} tables with data` });
    } catch (error) {
      checks.push({ check: 'database.dump readable', ok: false, detail: `pg_restore --list fails: ${(error as Error).message}` });
    }
  }
  if (storeEntries) filestoreBytes = storeEntries.reduce((sum, e) => sum + e.size, 0);
  return { ok: checks.every((c) => c.ok), checks, manifest, sha256, database, members, filestoreBytes, filestoreLayout: filestorePlan, addonsBytes, warnings, ...(storeEntries ? { storeEntries } : {}) };
}
