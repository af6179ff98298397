import type { SnapshotSession } from '../database/snapshot-session.js';
import type { FilestoreIndexEntry } from '../attachment-store/filestore-index.js';

/**
 * What the backup's filestore member holds, known once its step is done: the
 * live filestore tarred whole (`archive`: files read from `dir`), or the
 * entries of filestore.index (`store`: each in the attachment store, its
 * SHA-1 checked against its name on upload).
 */
export type BackupFilestore = { kind: 'archive'; dir: string } | { kind: 'store'; entries: FilestoreIndexEntry[] };

/**
 * A check run in the backup's exported snapshot, beside pg_dump: it sees exactly
 * the rows the dump holds (e.g. issue 15's attachment completeness check). It
 * only reads (the transaction is READ ONLY). What it resolves with is written to
 * manifest.json under `key`; a rejection fails the backup at stage `dump`.
 * `warning` turns that result into the backup's warning (null: nothing to say).
 */
export interface SnapshotCheck {
  /** The manifest field it fills; must not be one of the manifest's own fields. */
  key: string;
  run(session: SnapshotSession, context: { database: string; filestoreDir: string; filestore: Promise<BackupFilestore> }): Promise<unknown>;
  warning?(result: unknown): string | null;
}
