/** Runs one SQL text against the Odoo database and resolves psql's unaligned output lines (`-At`). */
export type QueryRunner = (sql: string) => Promise<string[]>;

export interface AttachmentProblem {
  attachmentId: number;
  storeFname: string;
}

export interface CompletenessResult {
  /** ir_attachment rows stored in the filestore (store_fname set). */
  attachmentRows: number;
  /** Distinct files those rows refer to. */
  files: number;
  /** Rows whose file is in neither the archive nor the store. */
  missing: AttachmentProblem[];
  /** Rows whose file is there with another SHA-1 than their `checksum`. */
  mismatched: Array<AttachmentProblem & { checksum: string; found: string }>;
}

const ROW = 'att|';

/**
 * The SQL the check runs: a read-only repeatable-read transaction of its own
 * or, with `snapshot` (pg_export_snapshot() of the dump's session), the very
 * snapshot the dump sees. Rows are tagged so psql's command tags are ignored.
 */
export function attachmentRowsSql(snapshot?: string): string {
  if (snapshot !== undefined && !/^[0-9A-F-]+$/i.test(snapshot)) throw new Error('a snapshot id is hex digits and dashes');
  return [
    'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY;',
    ...(snapshot ? [`SET TRANSACTION SNAPSHOT '${snapshot}';`] : []),
    `${ATTACHMENT_ROWS_SELECT};`,
    'COMMIT;',
  ].join(' ');
}

/** The bare SELECT, for a caller already inside the snapshot's transaction (a SnapshotSession): no BEGIN/COMMIT of its own. */
export const ATTACHMENT_ROWS_SELECT = `SELECT '${ROW}' || id || '|' || store_fname || '|' || coalesce(checksum, '') FROM ir_attachment WHERE store_fname IS NOT NULL AND store_fname <> '' ORDER BY id`;

/**
 * Completeness of a backup against its database: every `ir_attachment` row
 * with a `store_fname` must find that file in `available` (store_fname → the
 * SHA-1 of the content held: the archive's filestore or the store's
 * filestore.index) with the SHA-1 of its `checksum` column. Missing and
 * mismatched rows are named with their ids (Odoo leaves such rows after a
 * full disk); a row without a checksum is only checked for presence.
 * With `inTransaction`, `runQuery` already runs inside the snapshot (a
 * SnapshotSession) and the query is the bare SELECT.
 * Side effects: the one query given to `runQuery` (read-only). A database
 * without ir_attachment rejects with PostgreSQL's message.
 */
export async function checkAttachmentCompleteness(
  runQuery: QueryRunner,
  available: (storeFname: string) => string | undefined | Promise<string | undefined>,
  options: { snapshot?: string; inTransaction?: boolean } = {},
): Promise<CompletenessResult> {
  const lines = await runQuery(options.inTransaction ? ATTACHMENT_ROWS_SELECT : attachmentRowsSql(options.snapshot));
  const result: CompletenessResult = { attachmentRows: 0, files: 0, missing: [], mismatched: [] };
  const files = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith(ROW)) continue;
    const [id, storeFname, checksum] = line.slice(ROW.length).split('|') as [string, string, string];
    result.attachmentRows++;
    files.add(storeFname);
    const found = await available(storeFname);
    if (found === undefined) result.missing.push({ attachmentId: Number(id), storeFname });
    else if (checksum !== '' && checksum !== found) result.mismatched.push({ attachmentId: Number(id), storeFname, checksum, found });
  }
  result.files = files.size;
  return result;
}

/** The warning a backup, verify or restore shows for a result with problems, or null when complete. */
export function completenessWarning(result: CompletenessResult): string | null {
  const parts: string[] = [];
  const ids = (list: AttachmentProblem[]) => list.slice(0, 10).map((p) => p.attachmentId).join(', ') + (list.length > 10 ? ', …' : '');
  if (result.missing.length) parts.push(`${result.missing.length} attachment(s) refer to files that are missing (ids ${ids(result.missing)})`);
  if (result.mismatched.length) parts.push(`${result.mismatched.length} attachment(s) refer to files whose content does not match their checksum (ids ${ids(result.mismatched)})`);
  return parts.length ? parts.join('; ') : null;
}
