import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import * as tar from 'tar';
import { archiveManifest, backupInfo, MEMBERS, type ArchiveManifest } from '../../services/backup/archive-manifest.js';

/** One tar entry, exactly as written: paths, types, links and modes are not checked or cleaned. */
export interface CraftedEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  data?: Buffer | string;
  linkpath?: string;
  mode?: number;
}

/** A gzip tar of `entries`, headers encoded by node-tar, nothing sanitised (for malicious archives). */
export function gzipTar(entries: CraftedEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'File';
    const data = Buffer.from(entry.data ?? '');
    const size = type === 'File' ? data.length : 0;
    const header = new Header({
      path: entry.path,
      type,
      size,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      linkpath: entry.linkpath,
      uid: 0,
      gid: 0,
      mtime: new Date(),
      ...(type === 'CharacterDevice' || type === 'BlockDevice' ? { devmaj: 1, devmin: 3 } : {}),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (size > 0) blocks.push(data, Buffer.alloc((512 - (size % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** The members of a backup archive on disk (database.dump, filestore.tar.gz, …), read into memory. */
export async function membersOf(archive: string): Promise<Record<string, Buffer>> {
  const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-members-'));
  await tar.x({ file: archive, cwd: dir, strip: 1 });
  const out: Record<string, Buffer> = {};
  for (const name of await readdir(dir)) out[name] = await readFile(join(dir, name));
  return out;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export interface PackOptions {
  /** Changes to the manifest our backup would write (database, postgresVersion, formatVersion…). */
  manifest?: Partial<ArchiveManifest>;
  /** No manifest.json: the old backup.sh layout. */
  noManifest?: boolean;
  /** backup.info's text instead of ours. */
  info?: string;
}

/**
 * Writes backup `name` into `dir` in the DESIGN layout: one top folder holding
 * the members, backup.info and a manifest.json with the members' true sizes
 * and SHA-256s (so only what a test changes on purpose is wrong).
 */
export async function packBackup(dir: string, name: string, members: Record<(typeof MEMBERS)[number], Buffer>, options: PackOptions = {}): Promise<string> {
  const folder = name.replace(/\.tar\.gz$/, '');
  const written = Object.fromEntries(MEMBERS.map((m) => [m, { sizeBytes: members[m].length, sha256: sha256(members[m]) }])) as Record<(typeof MEMBERS)[number], { sizeBytes: number; sha256: string }>;
  const input = { name, database: options.manifest?.database ?? 'odoo', createdAt: new Date(), postgresVersion: '15.14', odooVersion: '17.0', tool: 'odoo-ops test', members: written };
  const info = Buffer.from(options.info ?? backupInfo(input));
  const manifest = { ...archiveManifest(input, { sizeBytes: info.length, sha256: sha256(info) }), ...options.manifest };
  const entries: CraftedEntry[] = [
    { path: `${folder}/`, type: 'Directory' },
    ...MEMBERS.map((m) => ({ path: `${folder}/${m}`, data: members[m] })),
    { path: `${folder}/backup.info`, data: info },
    ...(options.noManifest ? [] : [{ path: `${folder}/manifest.json`, data: `${JSON.stringify(manifest, null, 2)}\n` }]),
  ];
  const path = join(dir, name);
  await writeFile(path, gzipTar(entries));
  return path;
}
