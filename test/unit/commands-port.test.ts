import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorize, slackActor, type Actor } from '../../commands/actor.js';
import { alertSinks, type Alert } from '../../commands/alert-sink.js';
import { startBackup } from '../../commands/backup.js';
import { StoppingError } from '../../commands/operation-deps.js';
import type { Reporter } from '../../commands/reporter.js';
import { confirmRestore, OfferRefusedError, RestoreOffers } from '../../commands/restore-offers.js';
import { ThrottledUpdates, type ThrottleClock } from '../../commands/throttled-progress.js';
import type { OperationError } from '../../services/operation-error.js';
import { BusyError, OperationLock } from '../../services/operation-lock.js';
import type { Services } from '../../services/services.js';
import { RunningOperations } from '../../src/running-operations.js';
import { capturedLogger } from '../helpers/captured-logger.js';

/** A reporter that keeps what it was told. */
function fakeReporter<P, O>() {
  const told: { started: number; progress: P[]; finished: O[]; failed: OperationError[] } = { started: 0, progress: [], finished: [], failed: [] };
  const reporter: Reporter<P, O> = {
    started: async () => void (told.started += 1),
    progress: (p) => void told.progress.push(p),
    finished: async (o) => void told.finished.push(o),
    failed: async (e) => void told.failed.push(e),
  };
  return { told, reporter };
}

async function lockedServices() {
  const lock = new OperationLock(await mkdtemp(join(tmpdir(), 'odoo-ops-port-')));
  return { services: { lock } as unknown as Services, lock };
}

const ADMIN: Actor = slackActor('U_ADMIN');

describe('who may (authorize)', () => {
  it('lets Slack admins, the terminal and the schedule change things and names the Slack admins to anyone else', () => {
    const admins = { slack: ['U_ADMIN'] };
    expect(authorize(ADMIN, 'backup', admins)).toBeNull();
    expect(authorize({ surface: 'cli', id: 'root', label: 'cli (root@host)' }, 'restore', admins)).toBeNull();
    expect(authorize({ surface: 'schedule', id: 'schedule', label: 'schedule' }, 'backup', admins)).toBeNull();
    expect(authorize(slackActor('U_OTHER'), 'restore', admins)).toEqual({ kind: 'refusal', command: 'restore', admins: ['U_ADMIN'] });
    expect(authorize(slackActor('U_OTHER'), 'status', admins)).toBeNull();
  });

  it('lets a Discord user in by id or by one of its roles, and nobody from Discord when no list is configured', () => {
    const admins = { slack: ['U_ADMIN'], discord: { users: ['111'], roles: ['R_OPS'] } };
    expect(authorize({ surface: 'discord', id: '111', label: '<@111>' }, 'backup', admins)).toBeNull();
    expect(authorize({ surface: 'discord', id: '222', label: '<@222>', roles: ['R_OPS'] }, 'backup', admins)).toBeNull();
    expect(authorize({ surface: 'discord', id: '222', label: '<@222>', roles: ['R_X'] }, 'backup', admins)).toEqual({ kind: 'refusal', command: 'backup', admins: ['111'] });
    expect(authorize({ surface: 'discord', id: 'U_ADMIN', label: 'x' }, 'backup', { slack: ['U_ADMIN'] })).not.toBeNull();
  });
});

describe('startBackup', () => {
  it('answers busy with the holder, starts nothing, and leaves the other operation its lock', async () => {
    const { services, lock } = await lockedServices();
    const held = await lock.acquire('restore', '<@U_OTHER>');
    const { told, reporter } = fakeReporter();
    const outcome = await startBackup({ services, logger: capturedLogger().logger }, ADMIN, reporter);
    expect(outcome).toEqual({ started: false });
    expect(told.started).toBe(0);
    expect(told.failed).toHaveLength(1);
    const busy = told.failed[0] as BusyError;
    expect(busy).toBeInstanceOf(BusyError);
    expect([busy.kind, busy.by, busy.since]).toEqual(['restore', '<@U_OTHER>', held.holder.startedAt]);
    expect((await lock.holder())?.startedBy).toBe('<@U_OTHER>');
    await held.release();
  });

  it('refuses while the bot is stopping and releases the lock it took', async () => {
    const { services, lock } = await lockedServices();
    const operations = new RunningOperations();
    await operations.drain({ graceMs: 0, cleanupMs: 0, reason: 'test' });
    const { told, reporter } = fakeReporter();
    expect(await startBackup({ services, logger: capturedLogger().logger, operations }, ADMIN, reporter)).toEqual({ started: false });
    expect(told.failed[0]).toBeInstanceOf(StoppingError);
    expect(await lock.holder()).toBeNull();
  });
});

describe('confirmRestore', () => {
  it('leaves the offer open when busy, so the same offer can be confirmed once the lock is free', async () => {
    const { services, lock } = await lockedServices();
    const offers = new RestoreOffers(() => 0);
    const offer = offers.create('odoo_backup_2026-01-01_02-00-00.tar.gz', 'U_ADMIN', 'C1');
    const held = await lock.acquire('backup', 'schedule');
    const failed: OperationError[] = [];
    const operations = new RunningOperations();
    await operations.drain({ graceMs: 0, cleanupMs: 0, reason: 'test' });
    const deps = { services, logger: capturedLogger().logger, offers, operations };
    const never = () => fakeReporter<never, never>().reporter;
    expect(await confirmRestore(deps, ADMIN, offer.id, { withAddons: false }, never, async (e) => void failed.push(e))).toEqual({ started: false });
    expect(failed[0]).toBeInstanceOf(BusyError);
    await held.release();
    // Stopping: claimed, then reopened: still usable, and the lock is free again.
    await confirmRestore(deps, ADMIN, offer.id, { withAddons: false }, never, async (e) => void failed.push(e));
    expect(failed[1]).toBeInstanceOf(StoppingError);
    expect(await lock.holder()).toBeNull();
    expect(offers.claim(offer.id, 'cancelled', 'U_ADMIN').ok).toBe(true);
    await confirmRestore(deps, ADMIN, offer.id, { withAddons: false }, never, async (e) => void failed.push(e));
    expect(failed[2]).toBeInstanceOf(OfferRefusedError);
    expect((failed[2] as OfferRefusedError).claim).toMatchObject({ reason: 'cancelled', by: 'U_ADMIN' });
    expect(await lock.holder()).toBeNull();
  });
});

/** A clock whose time moves only when told; timers fire as it passes them. */
function manualClock(): ThrottleClock & { advance(ms: number): void } {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      const i = timers.indexOf(handle as never);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms) {
      now += ms;
      for (const timer of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.fn();
      }
    },
  };
}

describe('ThrottledUpdates', () => {
  it('sends at most one update per interval, the latest one, and the final state last', async () => {
    const clock = manualClock();
    const sent: string[] = [];
    const updates = new ThrottledUpdates<string>(async (m) => void sent.push(m), 1000, clock);
    updates.update('a');
    updates.update('b');
    expect(sent).toEqual([]);
    clock.advance(1000);
    await Promise.resolve();
    expect(sent).toEqual(['b']);
    updates.update('c');
    const finishing = updates.finish('done');
    await Promise.resolve();
    clock.advance(1000);
    await finishing;
    updates.update('late');
    clock.advance(5000);
    expect(sent).toEqual(['b', 'done']);
  });
});

describe('alertSinks', () => {
  it('hands every alert to each sink, even when one of them fails', async () => {
    const got: Alert[] = [];
    const sink = alertSinks([{ alert: async () => Promise.reject(new Error('down')) }, { alert: async (a) => void got.push(a) }]);
    await sink.alert({ kind: 'sync-recovered', failures: 3 });
    expect(got).toEqual([{ kind: 'sync-recovered', failures: 3 }]);
  });
});
