import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { SnapshotCheck } from '../backup/snapshot-checks.js';
import { boundedParallel } from './bounded-parallel.js';
import { ATTACHMENT_ROWS_SELECT, checkAttachmentCompleteness, type CompletenessResult } from './check-completeness.js';
import { isStoreFname } from './store-layout.js';

/** Problems named in manifest.json beyond the counts (the rest are counted only, so a broken filestore cannot bloat the manifest). */
const NAMED_IN_MANIFEST = 100;

/** manifest.json's `attachmentCheck` (format 2, additive): the counts, and the first problems by attachment id. */
export interface AttachmentCheckRecord {
  attachmentRows: number;
  files: number;
  missing: number;
  mismatched: number;
  problems: Array<{ attachmentId: number; storeFname: string; problem: 'missing' | 'mismatched' }>;
}

export function attachmentCheckRecord(result: CompletenessResult): AttachmentCheckRecord {
  return {
    attachmentRows: result.attachmentRows,
    files: result.files,
    missing: result.missing.length,
    mismatched: result.mismatched.length,
    problems: [
      ...result.missing.map((p) => ({ ...p, problem: 'missing' as const })),
      ...result.mismatched.map((p) => ({ attachmentId: p.attachmentId, storeFname: p.storeFname, problem: 'mismatched' as const })),
    ].slice(0, NAMED_IN_MANIFEST),
  };
}

/** The warning for a manifest record (backup report, verify). */
export function attachmentCheckWarning(record: AttachmentCheckRecord): string | null {
  const ids = (kind: 'missing' | 'mismatched', count: number) => {
    const named = record.problems.filter((p) => p.problem === kind).slice(0, 10).map((p) => p.attachmentId);
    return named.join(', ') + (count > named.length ? ', …' : '');
  };
  const parts: string[] = [];
  if (record.missing) parts.push(`${record.missing} attachment(s) refer to files that are missing (ids ${ids('missing', record.missing)})`);
  if (record.mismatched) parts.push(`${record.mismatched} attachment(s) refer to files whose content does not match their checksum (ids ${ids('mismatched', record.mismatched)})`);
  return parts.length ? parts.join('; ') : null;
}

/** SHA-1 of a file streamed, or undefined when it is not there. */
async function sha1OfFile(path: string): Promise<string | undefined> {
  const hash = createHash('sha1');
  try {
    await pipeline(createReadStream(path), hash);
  } catch (error) {
    if (['ENOENT', 'EISDIR', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
  return hash.digest('hex');
}

/**
 * Issue 15's completeness check as a snapshot check (manifest key
 * `attachmentCheck`): every ir_attachment.store_fname the dump's snapshot
 * holds must be in the backup with the SHA-1 of its `checksum`. For an
 * archive of the filestore the referenced files are hashed where the tar
 * reads them (each read once more, `concurrency` at a time; the page cache
 * usually serves the tar's read); for a backup of the second kind the
 * filestore.index entries are the answer (the store checked each SHA-1 on
 * upload), so it waits for the filestore step. Side effects: one read-only
 * query in the session, file reads. A database without ir_attachment gives
 * null (nothing to check).
 */
export function attachmentCompletenessCheck(options: { concurrency?: number } = {}): SnapshotCheck {
  return {
    key: 'attachmentCheck',
    async run(session, context) {
      const has = (await session.query("SELECT to_regclass('public.ir_attachment') IS NOT NULL"))[0]?.[0] === 't';
      if (!has) return null;
      const filestore = await context.filestore;
      // One query: its lines are read twice below (which files to hash, then the verdict).
      const lines = (await session.query(ATTACHMENT_ROWS_SELECT)).map((fields) => fields.join('\x1f'));
      const runQuery = async () => lines;
      if (filestore.kind === 'store') {
        const held = new Map(filestore.entries.map((e) => [e.storeFname, e.sha1]));
        return attachmentCheckRecord(await checkAttachmentCompleteness(runQuery, (f) => held.get(f), { inTransaction: true }));
      }
      // Hash each distinct referenced file once (rows may share a file), bounded.
      const rows = await checkAttachmentCompleteness(runQuery, () => undefined, { inTransaction: true });
      const referenced = [...new Set(rows.missing.map((p) => p.storeFname))];
      const found = new Map<string, string | undefined>();
      await boundedParallel(referenced, options.concurrency ?? 4, async (f) => {
        // A store_fname that is not a filestore path (e.g. '../x') is never read: it counts as missing.
        found.set(f, isStoreFname(f) ? await sha1OfFile(join(filestore.dir, f)) : undefined);
      });
      return attachmentCheckRecord(await checkAttachmentCompleteness(runQuery, (f) => found.get(f), { inTransaction: true }));
    },
    warning: (result) => (result ? attachmentCheckWarning(result as AttachmentCheckRecord) : null),
  };
}
