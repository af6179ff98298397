/** Where a backup can live. */
export type Location = 'local' | 'r2';

export interface StoredBackup {
  name: string;
  sizeBytes: number;
  /** The archive's SHA-256 when the store keeps it (R2 object metadata). */
  sha256?: string;
  /** Who wrote it (writerIdentity), when the store keeps it (R2 object metadata). */
  writer?: string;
}

export interface StoreProgress {
  bytes: number;
  total: number;
}

/**
 * One place backups are kept (BACKUP_DIR, an R2 bucket). Every method deals
 * only in names matching the backup pattern; anything else in the store is
 * invisible to it and never touched.
 */
export interface StorageBackend {
  readonly location: Location;
  /** Every backup held, whatever the number (follows pagination). */
  list(): Promise<StoredBackup[]>;
  /** One backup's size and checksum, or null when it is not held. */
  describe(name: string): Promise<StoredBackup | null>;
  /**
   * Stores the complete archive `file` under `name` and checks the stored size
   * against the file. On failure nothing is left under `name` (no partial object,
   * no orphan multipart parts). Does not delete `file`. `signal` cancels it
   * with the same guarantee; it settles once the store has cleaned up.
   */
  store(file: string, name: string, meta: { sha256: string; sizeBytes: number; writer?: string }, onProgress?: (p: StoreProgress) => void, signal?: AbortSignal): Promise<void>;
  /** Streams backup `name` to the local file `destination`. */
  fetch(name: string, destination: string): Promise<void>;
  /** Deletes these backups; names not matching the pattern are refused. */
  remove(names: string[]): Promise<void>;
  /**
   * Stores with multipart uploads (R2): aborts the incomplete uploads of backup
   * names begun before `startedBefore`; resolves how many, or null when the
   * store cannot list them.
   */
  abortStaleUploads?(startedBefore: Date): Promise<number | null>;
}
