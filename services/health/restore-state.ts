import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ATTENTION_FILE } from '../restore/discard-previous.js';
import { SwitchJournal } from '../restore/switch-journal.js';

/** What restores left that status must show: a switch not settled, a failed switch-back awaiting a person. */
export interface RestoreState {
  /** A switch journal in BACKUP_DIR: `interrupted` when its process is gone, `running` while it lives (or runs elsewhere). */
  switch: { restore: string; state: 'interrupted' | 'running' } | null;
  /** The attention marker's message and path, when a switch-back failed. */
  attention: { message: string; path: string } | null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the switch journal and the attention marker in `backupDir`. Read-only. */
export async function readRestoreState(backupDir: string): Promise<RestoreState> {
  const journal = await new SwitchJournal(backupDir).read();
  const path = join(backupDir, ATTENTION_FILE);
  const marker = await readFile(path, 'utf8').catch(() => null);
  let attention: RestoreState['attention'] = null;
  if (marker !== null) {
    let message = 'a restore could not switch back';
    try {
      message = (JSON.parse(marker) as { message?: string }).message ?? message;
    } catch {
      // an edited marker still counts
    }
    attention = { message, path };
  }
  const gone = journal ? journal.host === hostname() && !alive(journal.pid) : false;
  return { switch: journal ? { restore: journal.names.restore, state: gone ? 'interrupted' : 'running' } : null, attention };
}
