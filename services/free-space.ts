import { statfs } from 'node:fs/promises';
import { formatBytes } from './format-bytes.js';

/** One place a restore writes to, and how much it will write there. */
export interface SpaceNeed {
  /** What the space is for, e.g. "BACKUP_DIR (/backup): archive and its members". */
  what: string;
  neededBytes: number;
  /** Free bytes there; measured by the caller when not a local path. */
  freeBytes: number;
}

/** Free bytes for an unprivileged writer on the file system holding `path`. */
export async function freeBytesAt(path: string): Promise<number> {
  const info = await statfs(path);
  return info.bavail * info.bsize;
}

/** The needs that do not fit, said with their figures; empty when all fit. */
export function shortfalls(needs: SpaceNeed[]): string[] {
  return needs
    .filter((need) => need.freeBytes < need.neededBytes)
    .map((need) => `${need.what} needs ${formatBytes(need.neededBytes)}, only ${formatBytes(need.freeBytes)} free`);
}
