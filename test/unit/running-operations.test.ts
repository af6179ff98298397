import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RunningOperations } from '../../src/running-operations.js';

/** Work that ends after `ms`, or at once with "cancelled" when its signal fires. */
const work = (ms: number) => (signal: AbortSignal) =>
  new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('finished'), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(`cancelled: ${String(signal.reason)}`);
    });
  });

describe('RunningOperations (the bot stopping)', () => {
  it('lets work that ends within the grace period finish, then refuses new work', async () => {
    const ops = new RunningOperations();
    const running = ops.run(work(50))!;
    expect(await ops.drain({ graceMs: 1000, cleanupMs: 1000, reason: 'stopping' })).toEqual({ finished: 1, cancelled: 0, abandoned: 0 });
    expect(await running).toBe('finished');
    expect(ops.closed).toBe(true);
    expect(ops.run(work(1))).toBeNull();
  });

  it('cancels what is still running after the grace period, with the reason', async () => {
    const ops = new RunningOperations();
    const quick = ops.run(work(10))!;
    const slow = ops.run(work(60_000))!;
    // Had drain waited for the slow work (60 s), the test would time out: it cancels it instead.
    expect(await ops.drain({ graceMs: 100, cleanupMs: 1000, reason: 'the bot is stopping' })).toEqual({ finished: 1, cancelled: 1, abandoned: 0 });
    expect(await quick).toBe('finished');
    expect(await slow).toBe('cancelled: the bot is stopping');
  });

  it('waits for work inside a critical step (a restore switching) beyond the cleanup period, and only for that', async () => {
    const ops = new RunningOperations();
    const switching = ops.run(async (_signal, critical) => {
      critical(true);
      await sleep(300);
      return 'switched';
    })!;
    expect(await ops.drain({ graceMs: 10, cleanupMs: 20, criticalMs: 5000, reason: 'stopping' })).toEqual({ finished: 0, cancelled: 1, abandoned: 0 });
    expect(await switching).toBe('switched');

    const after = new RunningOperations();
    void after.run(async (_signal, critical) => {
      critical(true);
      critical(false);
      await sleep(2000);
    });
    expect(await after.drain({ graceMs: 10, cleanupMs: 20, criticalMs: 5000, reason: 'stopping' })).toMatchObject({ abandoned: 1 });
  });

  it('gives up on work that ignores its signal after the cleanup period', async () => {
    const ops = new RunningOperations();
    void ops.run(() => sleep(2000));
    expect(await ops.drain({ graceMs: 10, cleanupMs: 50, reason: 'stopping' })).toEqual({ finished: 0, cancelled: 0, abandoned: 1 });
  });
});
