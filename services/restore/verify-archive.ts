import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { MEMBERS, type ArchiveManifest } from '../backup/archive-manifest.js';
import { HashingCounter } from '../backup/hashing-writer.js';

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
  /** Leading path parts to drop from filestore.tar.gz's entries to get paths inside the database's filestore. */
  filestoreStrip: number;
  addonsBytes: number;
}

export interface VerifyOptions {
  /** The archive's SHA-256 as the store recorded it (R2 metadata), when known. */
  expectedSha256?: string;
  /** Runs `pg_restore --list` on a dump file; resolves with the listing. Defaults to the local PostgreSQL client. */
  listDump?: (file: string) => Promise<string>;
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

/** What a gzip tar holds, read to its end (which proves gzip and tar are intact): bytes, and the top folders below `./`. */
async function tarballContents(file: string): Promise<{ bytes: number; paths: string[] }> {
  let bytes = 0;
  const paths: string[] = [];
  await parseTar(file, new HashingCounter(), (entry) => {
    bytes += entry.size ?? 0;
    paths.push(entry.path);
    entry.resume();
  });
  return { bytes, paths };
}

/**
 * The filestore tarball must hold `filestore/<one db>/…` (perhaps below `./`,
 * as `tar czf … ./filestore` writes): anything else would extract attachments
 * where Odoo does not look. Returns how many leading path parts to strip.
 */
function filestoreStrip(paths: string[]): { strip: number } | { problem: string } {
  const databases = new Set<string>();
  let strip = 2;
  for (const path of paths) {
    const parts = path.split('/').filter((part) => part !== '');
    const dots = parts.findIndex((part) => part !== '.');
    const rest = parts.slice(dots < 0 ? parts.length : dots);
    if (rest.length === 0) continue;
    if (rest[0] !== 'filestore') return { problem: `holds ${path}, outside filestore/<database>/` };
    if (rest.length >= 2) databases.add(rest[1]!);
    strip = dots + 2;
  }
  if (databases.size !== 1) return { problem: `should hold one filestore/<database>/ folder, holds ${databases.size === 0 ? 'none' : [...databases].join(', ')}` };
  return { strip };
}

function parseBackupInfo(text: string): Record<string, string> {
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
 * that filestore.tar.gz and addons.tar.gz read to their end as gzip tars, and that
 * `pg_restore --list` reads the dump. Never throws for a bad archive: every
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
          const wanted = entry.type === 'File' && [...MEMBERS, 'backup.info', 'manifest.json'].includes(member);
          if (!wanted) {
            entry.resume();
            return;
          }
          const path = join(membersDir, member);
          const counter = new HashingCounter();
          inFlight.push(counter);
          const small = member === 'backup.info' || member === 'manifest.json';
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
  const empty = { members: { dump: '', filestore: '', addons: null }, filestoreBytes: 0, filestoreStrip: 2, addonsBytes: 0 };
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
      manifest = JSON.parse(manifestText) as ArchiveManifest;
      if (typeof manifest.members !== 'object' || manifest.members === null) throw new Error('no members');
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
  } else {
    checks.push({ check: 'manifest', ok: true, detail: 'none (archive of the old layout): members cannot be verified by checksum' });
  }
  for (const required of ['database.dump', 'filestore.tar.gz'] as const) {
    if (!found.has(required) && !manifest?.members[required]) checks.push({ check: required, ok: false, detail: 'missing from the archive' });
  }

  const info = texts.get('backup.info');
  const database = manifest?.database ?? (info ? (parseBackupInfo(info).database ?? null) : null);
  const members = { dump: found.get('database.dump')?.path ?? '', filestore: found.get('filestore.tar.gz')?.path ?? '', addons: found.get('addons.tar.gz')?.path ?? null };
  let filestoreBytes = 0;
  let filestorePathStrip = 2;
  let addonsBytes = 0;
  if (checks.every((c) => c.ok)) {
    for (const [member, path] of [
      ['filestore.tar.gz', members.filestore],
      ['addons.tar.gz', members.addons],
    ] as const) {
      if (path === null) continue;
      try {
        const { bytes, paths } = await tarballContents(path);
        if (member === 'filestore.tar.gz') {
          filestoreBytes = bytes;
          const layout = filestoreStrip(paths);
          if ('problem' in layout) {
            checks.push({ check: 'filestore.tar.gz layout', ok: false, detail: layout.problem });
            continue;
          }
          filestorePathStrip = layout.strip;
        } else addonsBytes = bytes;
        checks.push({ check: `${member} readable`, ok: true, detail: `${bytes} bytes of files` });
      } catch (error) {
        checks.push({ check: `${member} readable`, ok: false, detail: `not a complete gzip tar: ${(error as Error).message}` });
      }
    }
    try {
      const listing = await (options.listDump ?? listDumpLocally)(members.dump);
      const tables = listing.split('\n').filter((line) => / TABLE DATA /.test(line)).length;
      checks.push({ check: 'database.dump readable', ok: true, detail: `pg_restore --list reads it: ${tables} tables with data` });
    } catch (error) {
      checks.push({ check: 'database.dump readable', ok: false, detail: `pg_restore --list fails: ${(error as Error).message}` });
    }
  }
  return { ok: checks.every((c) => c.ok), checks, manifest, sha256, database, members, filestoreBytes, filestoreStrip: filestorePathStrip, addonsBytes };
}
