import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBackupName } from '../backup/backup-name.js';
import type { StorageBackend } from '../storage/storage-backend.js';

/** What one cleanup removed; also the record kept in BACKUP_DIR for `status`. */
export interface CleanupCounts {
  /** A backup's staging directories (`.<folder>.<pid>-<hex>.staging`). */
  backupStaging: number;
  /** Partial archives (`.<name>.<pid>-<hex>.partial`, `.<name>.partial`). */
  partialArchives: number;
  /** A restore's staging directories (`.restore-….staging`). */
  restoreStaging: number;
  /** Incomplete multipart uploads of backups aborted in R2. */
  multipartUploads: number;
}

export interface CleanupResult extends CleanupCounts {
  /** Left in place: named after a process that is still running (not this one). */
  skipped: string[];
  /** What could not be cleaned, one sentence each (never fatal). */
  failures: string[];
}

export interface CleanupRecord extends CleanupCounts {
  at: string;
}

/** In BACKUP_DIR beside the lock; its name is no backup name, so retention and listings never see it. */
export const CLEANUP_RECORD = '.odoo-ops-cleanup.json';
/** An incomplete upload younger than this may still be a run's on another host: left alone. */
const UPLOAD_STALE_MS = 5 * 60 * 1000;

const BACKUP_STAGING = /^\.(.+)\.(\d+)-[0-9a-f]+\.staging$/;
const PARTIAL = /^\.(.+?\.tar\.gz)(?:\.(\d+)-[0-9a-f]+)?\.partial$/;
const RESTORE_STAGING = /^\.restore-.+?\.(?:(\d+)-)?[0-9a-f]+\.staging$/;

/** Whether process `pid` of this host runs and is not this process (kill 0 only checks; EPERM means it exists). */
function otherLiveProcess(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what killed runs left behind: in BACKUP_DIR a backup's staging
 * directories and partial archives and a restore's staging directories; in R2
 * the incomplete multipart uploads of backup names begun more than 5 minutes
 * ago. Contract: call it only while holding the operation lock, taken by this
 * run (not a lock lent to a safety backup): the lock guarantees no live run
 * owns these files. As a second guard, a name carrying the pid of another
 * running process of this host is left (and reported in `skipped`). Touches
 * nothing else (no backup, no `.verify-…` folder of a running verify, which
 * takes no lock). When anything was removed, writes the counts to
 * `CLEANUP_RECORD` in BACKUP_DIR (0600) for `status`. Never throws: problems
 * are returned in `failures`; a store that cannot list uploads is skipped.
 */
export async function removeLeftovers(
  services: { settings: { backupDir: string }; r2: StorageBackend | null },
  now: Date = new Date(),
): Promise<CleanupResult> {
  const dir = services.settings.backupDir;
  const result: CleanupResult = { backupStaging: 0, partialArchives: 0, restoreStaging: 0, multipartUploads: 0, skipped: [], failures: [] };
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') result.failures.push(`BACKUP_DIR could not be read: ${(error as Error).message}`);
  }
  for (const entry of entries) {
    let kind: keyof CleanupCounts | null = null;
    let pid: string | undefined;
    let m;
    if ((m = BACKUP_STAGING.exec(entry)) && isBackupName(`${m[1]}.tar.gz`)) [kind, pid] = ['backupStaging', m[2]];
    else if ((m = PARTIAL.exec(entry)) && isBackupName(m[1]!)) [kind, pid] = ['partialArchives', m[2]];
    else if ((m = RESTORE_STAGING.exec(entry))) [kind, pid] = ['restoreStaging', m[1]];
    if (!kind) continue;
    if (pid !== undefined && otherLiveProcess(Number(pid))) {
      result.skipped.push(entry);
      continue;
    }
    try {
      await rm(join(dir, entry), { recursive: true, force: true });
      result[kind]++;
    } catch (error) {
      result.failures.push(`${entry} could not be removed: ${(error as Error).message}`);
    }
  }
  if (services.r2?.abortStaleUploads) {
    try {
      result.multipartUploads = (await services.r2.abortStaleUploads(new Date(now.getTime() - UPLOAD_STALE_MS))) ?? 0;
    } catch (error) {
      result.failures.push(`incomplete uploads in R2 could not be aborted: ${(error as Error).message}`);
    }
  }
  if (result.backupStaging + result.partialArchives + result.restoreStaging + result.multipartUploads > 0) {
    const { skipped: _skipped, failures: _failures, ...counts } = result;
    const record: CleanupRecord = { at: now.toISOString(), ...counts };
    await writeFile(join(dir, CLEANUP_RECORD), `${JSON.stringify(record)}\n`, { mode: 0o600 }).catch((error: Error) =>
      result.failures.push(`the cleanup record could not be written: ${error.message}`),
    );
  }
  return result;
}

/** The last cleanup that removed something, or null (none yet, or an unreadable record). Reads only. */
export async function lastCleanup(backupDir: string): Promise<CleanupRecord | null> {
  try {
    const record = JSON.parse(await readFile(join(backupDir, CLEANUP_RECORD), 'utf8')) as CleanupRecord;
    return typeof record.at === 'string' ? record : null;
  } catch {
    return null;
  }
}
