import type { SnapshotSession } from '../database/snapshot-session.js';

/**
 * A check run in the backup's exported snapshot, beside pg_dump: it sees exactly
 * the rows the dump holds (e.g. issue 15's attachment completeness check). It
 * only reads (the transaction is READ ONLY). What it resolves with is written to
 * manifest.json under `key`; a rejection fails the backup at stage `dump`.
 */
export interface SnapshotCheck {
  /** The manifest field it fills; must not be one of the manifest's own fields. */
  key: string;
  run(session: SnapshotSession, context: { database: string; filestoreDir: string }): Promise<unknown>;
}
