/**
 * Runs `work` on every item with at most `limit` in flight, in order of
 * start; resolves when all have settled. `work` handles its own errors (a
 * rejection still stops nothing else: it is rethrown after all settle).
 */
export async function boundedParallel<T>(items: Iterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let firstError: unknown = null;
  async function worker(): Promise<void> {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      try {
        await work(next.value);
      } catch (error) {
        firstError ??= error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (firstError !== null) throw firstError;
}
