import { z } from 'zod';
import type { SnapshotFacts } from '../database/snapshot-session.js';
import type { WrittenFile } from './hashing-writer.js';

/** 2 adds `tables` and `attachments` (counted in the dump's snapshot); readers accept 1 and 2. */
export const MANIFEST_FORMAT_VERSION = 2;
export const MEMBERS = ['database.dump', 'filestore.tar.gz', 'addons.tar.gz'] as const;
/** In place of filestore.tar.gz in a backup of the second kind (BACKUP_FILESTORE=store): the files are in the attachment store. */
export const FILESTORE_INDEX = 'filestore.index';

export interface ArchiveManifest {
  formatVersion: number;
  name: string;
  database: string;
  createdAt: string;
  postgresVersion: string;
  odooVersion: string;
  tool: string;
  /** What the archive holds when it is not the live state: e.g. the data a restore set aside. */
  origin?: string;
  /** Present in a backup of the second kind: its filestore is in the attachment store, named by filestore.index. */
  filestore?: { kind: 'store'; files: number; bytes: number };
  members: Record<string, { sizeBytes: number; sha256: string }>;
  /** Format 2: the row count of every table (`schema.table`), taken in the snapshot pg_dump dumped. */
  tables?: Record<string, number>;
  /** Format 2: ir_attachment's rows and the distinct files they refer to, in that snapshot; null when the database has no ir_attachment. */
  attachments?: { rows: number; files: number } | null;
  /**
   * The installed Odoo modules and their `latest_version` when the backup was
   * taken (Odoo's zip manifest `modules`); absent in older archives, null when
   * the database had no ir_module_module table. Lets an export to Odoo's zip
   * say what Odoo's own backup would, with no database at hand.
   */
  modules?: Record<string, string | null> | null;
}

/**
 * manifest.json as read back: what verification relies on is required and
 * typed (a format version, the database, every member's size and SHA-256); the
 * descriptive fields fall back to "unknown"; fields a later format adds pass
 * through untouched.
 */
export const archiveManifestSchema = z
  .object({
    formatVersion: z.number(),
    name: z.string().catch('unknown'),
    database: z.string(),
    createdAt: z.string().catch('unknown'),
    postgresVersion: z.string().catch('unknown'),
    odooVersion: z.string().catch('unknown'),
    tool: z.string().catch('unknown'),
    origin: z.string().optional(),
    modules: z.record(z.string(), z.string().nullable()).nullable().optional().catch(undefined),
    members: z.record(z.string(), z.object({ sizeBytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256') })),
    // Format 2: what a drill compares the restored database with; absent in format 1.
    tables: z.record(z.string(), z.number().int().nonnegative()).optional(),
    attachments: z.object({ rows: z.number().int().nonnegative(), files: z.number().int().nonnegative() }).nullable().optional(),
  })
  .passthrough();

/** Parses manifest.json's text; throws with what is wrong (field by field). */
export function parseArchiveManifest(text: string): ArchiveManifest {
  const result = archiveManifestSchema.safeParse(JSON.parse(text));
  if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`).join('; '));
  return result.data as ArchiveManifest;
}

export interface ManifestInput {
  name: string;
  database: string;
  createdAt: Date;
  postgresVersion: string;
  odooVersion: string;
  tool: string;
  origin?: string;
  /** See ArchiveManifest.modules; left out of the manifest when undefined. */
  modules?: Record<string, string | null> | null;
  /** Counted in the dump's snapshot (format 2). */
  facts?: SnapshotFacts;
  members: Record<Exclude<(typeof MEMBERS)[number], 'filestore.tar.gz'>, WrittenFile> & { 'filestore.tar.gz'?: WrittenFile; 'filestore.index'?: WrittenFile };
  /** A backup of the second kind: how many files its filestore.index names (they live in the attachment store). */
  storeFiles?: { files: number; bytes: number };
}

/** `backup.info`: the key=value lines the old backup.sh wrote, for people reading the archive by hand. */
export function backupInfo(input: ManifestInput): string {
  const lines = {
    date: input.createdAt.toISOString(),
    name: input.name,
    database: input.database,
    database_dump_bytes: input.members['database.dump'].sizeBytes,
    filestore_bytes: input.storeFiles?.bytes ?? input.members['filestore.tar.gz']?.sizeBytes ?? 0,
    ...(input.storeFiles ? { filestore: 'store', filestore_files: input.storeFiles.files } : {}),
    addons_bytes: input.members['addons.tar.gz'].sizeBytes,
    postgres_version: input.postgresVersion,
    odoo_version: input.odooVersion,
    tool: input.tool,
    ...(input.facts ? { tables: Object.keys(input.facts.tables).length, table_rows: Object.values(input.facts.tables).reduce((a, b) => a + b, 0) } : {}),
    ...(input.facts?.attachments ? { attachment_rows: input.facts.attachments.rows, attachment_files: input.facts.attachments.files } : {}),
    ...(input.origin ? { origin: input.origin.replace(/\n/g, ' ') } : {}),
  };
  return Object.entries(lines).map(([k, v]) => `${k}=${v}\n`).join('');
}

/** `manifest.json`: what a restore checks every member against. */
export function archiveManifest(input: ManifestInput, info: { sizeBytes: number; sha256: string }): ArchiveManifest {
  const members: ArchiveManifest['members'] = {};
  for (const member of [...MEMBERS, FILESTORE_INDEX] as const) {
    const written = input.members[member];
    if (written) members[member] = { sizeBytes: written.sizeBytes, sha256: written.sha256 };
  }
  members['backup.info'] = info;
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    name: input.name,
    database: input.database,
    createdAt: input.createdAt.toISOString(),
    postgresVersion: input.postgresVersion,
    odooVersion: input.odooVersion,
    tool: input.tool,
    ...(input.origin ? { origin: input.origin } : {}),
    ...(input.modules !== undefined ? { modules: input.modules } : {}),
    ...(input.storeFiles ? { filestore: { kind: 'store', files: input.storeFiles.files, bytes: input.storeFiles.bytes } } : {}),
    members,
    ...(input.facts ? { tables: input.facts.tables, attachments: input.facts.attachments } : {}),
  };
}
