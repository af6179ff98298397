import { createReadStream } from 'node:fs';
import * as tar from 'tar';
import { parseBackupInfo } from './verify-archive.js';

/** What an archive says about itself, before it is verified (nothing here is trusted). */
export interface ArchiveLabel {
  /** The database it was taken of (manifest.json, else backup.info), or null when it does not say. */
  database: string | null;
}

const LABEL_MEMBERS = new Set(['backup.info', 'manifest.json']);
const MAX_LABEL_BYTES = 1024 * 1024;

/**
 * Reads the local archive `file` for its backup.info and manifest.json (ours
 * are the last members, so most of the archive is read and skipped; reading
 * stops once manifest.json is in). Resolves null when `signal` aborts first or
 * the archive cannot be read: a label is for telling the user, the restore's
 * verification decides. Reads only.
 */
export function readArchiveLabel(file: string, signal?: AbortSignal): Promise<ArchiveLabel | null> {
  return new Promise((resolve) => {
    const texts = new Map<string, string>();
    const source = createReadStream(file);
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abandon);
      source.destroy();
      const manifestText = texts.get('manifest.json');
      let fromManifest: unknown = null;
      try {
        fromManifest = manifestText ? (JSON.parse(manifestText) as { database?: unknown }).database : null;
      } catch {
        fromManifest = null;
      }
      const info = texts.get('backup.info');
      const database = (typeof fromManifest === 'string' && fromManifest) || (info ? parseBackupInfo(info).database : undefined) || null;
      resolve({ database });
    };
    const abandon = () => {
      if (settled) return;
      settled = true;
      source.destroy();
      resolve(null);
    };
    if (signal?.aborted) return abandon();
    signal?.addEventListener('abort', abandon, { once: true });
    const parser = new tar.Parser({
      onReadEntry: (entry) => {
        const member = entry.path.split('/').filter((part) => part !== '' && part !== '.').slice(1).join('/');
        if (entry.type !== 'File' || !LABEL_MEMBERS.has(member) || (entry.size ?? 0) > MAX_LABEL_BYTES) {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => {
          texts.set(member, Buffer.concat(chunks).toString('utf8'));
          if (member === 'manifest.json') finish();
        });
      },
    });
    parser.on('error', abandon);
    parser.on('end', finish);
    source.on('error', abandon);
    source.pipe(parser as unknown as NodeJS.WritableStream);
  });
}
