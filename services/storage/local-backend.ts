import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { OperationError } from '../operation-error.js';
import { isBackupName } from '../backup/backup-name.js';
import type { StorageBackend, StoredBackup } from './storage-backend.js';

/** Backups as files in BACKUP_DIR, readable by their owner only (0600: an archive holds the whole database). */
export class LocalBackend implements StorageBackend {
  readonly location = 'local' as const;

  constructor(readonly dir: string) {}

  pathOf(name: string): string {
    return join(this.dir, name);
  }

  /** Backup files in BACKUP_DIR (a missing directory holds none). */
  async list(): Promise<StoredBackup[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter(isBackupName);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const found = await Promise.all(names.map((name) => this.describe(name)));
    return found.filter((b): b is StoredBackup => b !== null);
  }

  async describe(name: string): Promise<StoredBackup | null> {
    try {
      const info = await stat(this.pathOf(name));
      return info.isFile() ? { name, sizeBytes: info.size } : null;
    } catch {
      return null;
    }
  }

  /** Copies `file` in under a temporary name and renames it, so a half copy never carries the name. */
  async store(file: string, name: string, meta: { sizeBytes: number }): Promise<void> {
    const target = this.pathOf(name);
    if (file === target) return this.checkSize(name, meta.sizeBytes);
    const partial = join(this.dir, `.${name}.partial`);
    try {
      await pipeline(createReadStream(file), createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      await rename(partial, target);
    } finally {
      await rm(partial, { force: true });
    }
    await this.checkSize(name, meta.sizeBytes);
  }

  async fetch(name: string, destination: string): Promise<void> {
    await pipeline(createReadStream(this.pathOf(name)), createWriteStream(destination, { mode: 0o600 }));
  }

  async remove(names: string[]): Promise<void> {
    for (const name of names) {
      if (!isBackupName(name)) throw new OperationError('retention', `refusing to delete "${name}": not a backup name`);
      await rm(this.pathOf(name), { force: true });
    }
  }

  private async checkSize(name: string, expected: number): Promise<void> {
    const held = await this.describe(name);
    if (held?.sizeBytes !== expected) {
      throw new OperationError('local', `${name} in ${this.dir} is ${held?.sizeBytes ?? 0} bytes, expected ${expected}`);
    }
  }
}
