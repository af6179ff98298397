import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { OperationError } from './operation-error.js';

export type OperationKind = 'backup' | 'restore' | 'prune' | 'recover' | 'drill';

export interface LockHolder {
  operation: OperationKind;
  /** Who started it: a Slack user, `cli (user@host)`, `schedule`. */
  startedBy: string;
  startedAt: string;
  host: string;
  pid: number;
}

/**
 * Lock held; call `release` in a `finally`. A run handed a lock as `ownLock`
 * (its caller took it for this very run: a confirmed restore) behaves as under
 * a lock of its own (settles a half-done switch, removes leftovers) but leaves
 * the release to the caller; one handed it as `heldLock` runs inside another
 * operation (a restore's safety backup) and touches nothing of that operation's.
 */
export interface HeldLock {
  holder: LockHolder;
  release(): Promise<void>;
}

/**
 * The lock is held by another operation: a typed refusal that carries its
 * holder (null when its details are unreadable). Surfaces recognise it with
 * `instanceof` and render `kind`, `by` and `since` themselves; nothing matches its text.
 */
export class BusyError extends OperationError {
  constructor(
    readonly holder: LockHolder | null,
    options?: { cause?: unknown },
  ) {
    super('lock', `busy: ${holder ? `${holder.operation} started by ${holder.startedBy} at ${holder.startedAt}` : 'another operation is running'}`, options);
  }

  /** The operation that holds the lock, or null when unknown. */
  get kind(): OperationKind | null {
    return this.holder?.operation ?? null;
  }

  /** The holder's actor label (a Slack mention, `cli (user@host)`, `schedule`), or null. */
  get by(): string | null {
    return this.holder?.startedBy ?? null;
  }

  /** When the holder took the lock (ISO 8601), or null. */
  get since(): string | null {
    return this.holder?.startedAt ?? null;
  }

  /** Who holds the lock, as said to the user: `backup started by <who> at <time>`. */
  get who(): string {
    return this.holder ? `${this.holder.operation} started by ${this.holder.startedBy} at ${this.holder.startedAt}` : 'another operation is running';
  }
}

/** @deprecated the former name of BusyError, kept so that branches written against it still merge. */
export const LockBusy = BusyError;
export type LockBusy = BusyError;

// The holder refreshes the lock every STALE/2; a lock not refreshed for STALE
// belongs to a process that died, and is taken over.
const STALE_MS = 30_000;

/**
 * One operation (backup, restore, prune) at a time, across the bot and the CLI,
 * even in different containers: a lock directory in BACKUP_DIR whose mtime the
 * holder keeps fresh. A second request is refused with OperationError('lock')
 * "busy: <operation> started by <who> at <time>", never queued.
 */
export class OperationLock {
  private readonly lockPath: string;

  constructor(private readonly dir: string) {
    this.lockPath = join(dir, '.odoo-ops');
  }

  /** Takes the lock or throws OperationError('lock', 'busy: …'). Creates BACKUP_DIR if needed, 0700: backups hold the whole database. */
  async acquire(operation: OperationKind, startedBy: string): Promise<HeldLock> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const holder: LockHolder = { operation, startedBy, startedAt: new Date().toISOString(), host: hostname(), pid: process.pid };
    const take = () =>
      lockfile.lock(this.lockPath, {
        realpath: false,
        stale: STALE_MS,
        update: STALE_MS / 2,
        retries: 0,
        // Losing the lock mid-operation (its directory removed by hand) must not crash the bot.
        onCompromised: () => {},
      });
    let release: () => Promise<void>;
    try {
      release = await take().catch(async (error: NodeJS.ErrnoException) => {
        // A holder of this host whose process is gone (killed) does not make the next run wait out STALE_MS:
        // its lock is marked stale, and proper-lockfile takes it over as it would a stale one.
        if (error.code !== 'ELOCKED' || !(await this.heldByDeadProcess())) throw error;
        await utimes(`${this.lockPath}.lock`, 0, 0);
        return take();
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      const current = await this.holder();
      throw new BusyError(current, { cause: error });
    }
    await writeFile(this.holderFile(), JSON.stringify(holder), { mode: 0o600 });
    return {
      holder,
      release: async () => {
        await rm(this.holderFile(), { force: true });
        await release().catch(() => undefined);
      },
    };
  }

  /** Who holds the lock now, or null. */
  async holder(): Promise<LockHolder | null> {
    if (!(await lockfile.check(this.lockPath, { realpath: false, stale: STALE_MS }).catch(() => false))) return null;
    try {
      return JSON.parse(await readFile(this.holderFile(), 'utf8')) as LockHolder;
    } catch {
      return null;
    }
  }

  /** The holder ran on this host, is not this process, and no process has its pid any more. */
  private async heldByDeadProcess(): Promise<boolean> {
    let current: LockHolder;
    try {
      current = JSON.parse(await readFile(this.holderFile(), 'utf8')) as LockHolder;
    } catch {
      return false;
    }
    if (current.host !== hostname() || current.pid === process.pid || !Number.isInteger(current.pid)) return false;
    try {
      process.kill(current.pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  // proper-lockfile locks with mkdir `<path>.lock`; the holder's details sit beside it.
  private holderFile(): string {
    return `${this.lockPath}.holder.json`;
  }
}
