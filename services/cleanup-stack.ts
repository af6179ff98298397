/**
 * What a pipeline must undo or remove whatever happens (a lock to release, an
 * upload to abort, temporary files): each step registers its own as it takes
 * it, and `run` undoes them in reverse order, each one tried whatever the
 * others did. The offen/docker-volume-backup way: the run reads as its steps.
 */
export class CleanupStack {
  private readonly tasks: Array<() => unknown> = [];

  /** Registers `task` to run at the end (before those registered earlier). */
  defer(task: () => unknown): void {
    this.tasks.push(task);
  }

  /** Runs every registered task, newest first; failures are swallowed (cleanup is best effort by nature). */
  async run(): Promise<void> {
    while (this.tasks.length > 0) {
      const task = this.tasks.pop()!;
      try {
        await task();
      } catch {
        // one cleanup failing must not keep the others from running
      }
    }
  }
}
