import { open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The names a switch moves, as written in its journal (everything recovery needs to finish or undo it). */
export interface SwitchNames {
  /** The backup being restored, for the messages. */
  restore: string;
  database: string;
  restoredDatabase: string;
  previousDatabase: string;
  /** Whether a live database existed when the switch began. */
  liveExisted: boolean;
  /** `<data dir>/filestore`. */
  filestoreRoot: string;
  /** ADDONS_DIR and the names of the staged and set-aside entries in it; null leaves addons alone. */
  addons: { dir: string; staged: string; previous: string } | null;
}

export type JournalDirection = 'forward' | 'back';

export interface JournalRecord {
  step: string;
  direction: JournalDirection;
  state: 'begin' | 'done';
  at: string;
}

export interface SwitchJournalContent {
  names: SwitchNames;
  startedAt: string;
  /** pid and host of the process that runs the switch. */
  pid: number;
  host: string;
  records: JournalRecord[];
}

/** In BACKUP_DIR while a switch runs: a process killed half-way leaves it for the next command to finish. */
export const JOURNAL_FILE = '.odoo-ops-switch-journal.json';

/**
 * The write-ahead journal of a restore's switch: every step is recorded as
 * begun before it is taken and as done after, each record made durable
 * (written to a temporary file, fsynced, renamed over the journal) before the
 * step runs, so that after a crash the journal says exactly which steps may have
 * happened. Removed once the switch (or its rollback) has ended.
 */
export class SwitchJournal {
  private content: SwitchJournalContent | null = null;

  constructor(private readonly backupDir: string) {}

  get path(): string {
    return join(this.backupDir, JOURNAL_FILE);
  }

  /** Starts a journal for a new switch; fails when one already exists (an unfinished switch must be recovered first). */
  async begin(names: SwitchNames): Promise<void> {
    if (await this.read()) throw new Error(`an unfinished switch is recorded in ${this.path}`);
    this.content = { names, startedAt: new Date().toISOString(), pid: process.pid, host: hostname(), records: [] };
    await this.persist();
  }

  /** Continues a journal found on disk (recovery), or null when there is none. */
  async resume(): Promise<SwitchJournalContent | null> {
    this.content = await this.read();
    return this.content;
  }

  /** Records that `step` (in `direction`) is about to be taken or was taken; durable before it returns. */
  async record(step: string, direction: JournalDirection, state: 'begin' | 'done'): Promise<void> {
    if (!this.content) throw new Error('no switch journal started');
    this.content.records.push({ step, direction, state, at: new Date().toISOString() });
    await this.persist();
  }

  /** Removes the journal: the switch, or its rollback, is over. */
  async finish(): Promise<void> {
    this.content = null;
    await rm(this.path, { force: true });
  }

  /** The journal on disk, or null. A journal that cannot be parsed is an error: it must not be ignored. */
  async read(): Promise<SwitchJournalContent | null> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    return text === null ? null : (JSON.parse(text) as SwitchJournalContent);
  }

  private async persist(): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(this.content, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
  }
}

/** Whether `step` has a record `state` in `direction`. */
export function hasRecord(content: SwitchJournalContent, step: string, direction: JournalDirection, state: 'begin' | 'done'): boolean {
  return content.records.some((r) => r.step === step && r.direction === direction && r.state === state);
}
