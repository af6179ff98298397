import { randomBytes } from 'node:crypto';
import { asOperationError, OperationError } from '../services/operation-error.js';
import type { HeldLock } from '../services/operation-lock.js';
import type { RestoreOutcome, RestoreProgress } from '../services/restore/run-restore.js';
import type { Actor } from './actor.js';
import { StoppingError, type OperationDeps } from './operation-deps.js';
import type { Reporter } from './reporter.js';
import { planRestore, restoreCommand, type RestorePlan } from './restore.js';

/** What an offer, once confirmed, starts: a restore of a backup, or an import of a file or R2 key (same safe restore). */
export type OfferKind = 'restore' | 'import';

/** An operation the bot offered in a chat, waiting for an administrator's confirmation. */
export interface RestoreOffer {
  id: string;
  kind: OfferKind;
  /** The backup name (restore) or the file or R2 key (import). */
  name: string;
  /** Who asked for the offer (a surface user id). */
  requestedBy: string;
  /** Where the offer was posted (a channel id). */
  channelId: string;
  /** The offer message, once posted. */
  ts: string | null;
  expiresAt: number;
}

export type ClaimRefusal = { ok: false; reason: 'unknown' | 'expired' | 'used' | 'cancelled'; offer?: RestoreOffer; by?: string };
export type Claim = { ok: true; offer: RestoreOffer } | ClaimRefusal;

/** How long an offer can be confirmed. */
export const OFFER_TTL_MS = 10 * 60_000;

/**
 * The offers of this bot process, for every surface. An offer can be claimed
 * once, by confirming or cancelling it, before it expires; the claim is
 * synchronous, so two presses arriving together cannot both win. Offers do not
 * survive a restart of the bot (a press then answers "unknown": ask again).
 */
export class RestoreOffers {
  private readonly offers = new Map<string, RestoreOffer>();
  private readonly claimed = new Map<string, { as: 'used' | 'cancelled'; by: string }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = OFFER_TTL_MS,
  ) {}

  create(name: string, requestedBy: string, channelId: string, kind: OfferKind = 'restore'): RestoreOffer {
    this.forgetOld();
    const offer: RestoreOffer = { id: randomBytes(9).toString('base64url'), kind, name, requestedBy, channelId, ts: null, expiresAt: this.now() + this.ttlMs };
    this.offers.set(offer.id, offer);
    return offer;
  }

  /** The offer with this id, claimed or not, without claiming it (to tell a restore offer from an import one). */
  peek(id: string): RestoreOffer | null {
    return this.offers.get(id) ?? null;
  }

  /** Takes the offer for `as` (a confirmation or a cancellation) by `userId`, once, before it expires. */
  claim(id: string, as: 'used' | 'cancelled', userId: string): Claim {
    const offer = this.offers.get(id);
    if (!offer) return { ok: false, reason: 'unknown' };
    const earlier = this.claimed.get(id);
    if (earlier) return { ok: false, reason: earlier.as, offer, by: earlier.by };
    if (this.now() > offer.expiresAt) return { ok: false, reason: 'expired', offer };
    this.claimed.set(id, { as, by: userId });
    return { ok: true, offer };
  }

  /** Makes a claimed offer usable again (the operation could not start after all). */
  reopen(id: string): void {
    this.claimed.delete(id);
  }

  // Expired offers are kept a day, so a late press is told "expired", not "unknown".
  private forgetOld(): void {
    for (const [id, offer] of this.offers) {
      if (this.now() > offer.expiresAt + 24 * 3600_000) {
        this.offers.delete(id);
        this.claimed.delete(id);
      }
    }
  }
}

/** A press on an offer that changed nothing (unknown, expired, used, cancelled): a surface renders `claim`. */
export class OfferRefusedError extends OperationError {
  constructor(readonly claim: ClaimRefusal) {
    super('offer', `this offer was ${claim.reason === 'unknown' ? 'not known to the bot' : claim.reason}; nothing was changed`);
  }
}

export interface OfferDeps extends OperationDeps {
  offers: RestoreOffers;
}

export type OfferReply = { ok: true; plan: RestorePlan; offer: RestoreOffer } | { ok: false; error: OperationError };

/**
 * `restore <name>` from a chat (admins only, checked before): checks the name
 * and that a store holds the backup, then records an offer to confirm; the
 * surface shows the plan with its confirm and cancel controls. Starts nothing.
 */
export async function offerRestore(deps: OfferDeps, actor: Actor, name: string, channelId: string): Promise<OfferReply> {
  const planned = await planRestore(deps.services, name, { safetyBackup: false, withAddons: false }, { readLabel: true });
  if (!planned.ok) return planned;
  // The plan's name: the archive's, also when the request named its folder.
  const offer = deps.offers.create(planned.plan.backup.name, actor.id, channelId, 'restore');
  return { ok: true, plan: planned.plan, offer };
}

/** How a confirmed offer's operation runs: under `lock` (released by confirmOffer), `critical` marks a step the bot must not cut short. */
export type OfferRun = (offer: RestoreOffer, lock: HeldLock, stopping: { signal?: AbortSignal; critical: (inside: boolean) => void }) => Promise<unknown>;

/**
 * An administrator confirms an offer (checked before): takes the operation
 * lock first, so "busy" (another operation runs) leaves the offer usable;
 * refuses an unknown, expired, used or cancelled offer (OfferRefusedError);
 * otherwise claims the offer, once, and starts `run` in the background under
 * that lock, tracked so that the bot can stop cleanly. Refusals go to `failed`.
 */
export async function confirmOffer(deps: OfferDeps, actor: Actor, offerId: string, run: OfferRun, failed: (error: OperationError) => Promise<void>): Promise<{ started: boolean }> {
  let lock: HeldLock;
  try {
    lock = await deps.services.lock.acquire('restore', actor.label);
  } catch (error) {
    await failed(asOperationError('lock', error));
    return { started: false };
  }
  const claim = deps.offers.claim(offerId, 'used', actor.id);
  if (!claim.ok) {
    await lock.release();
    await failed(new OfferRefusedError(claim));
    return { started: false };
  }
  const work = (signal?: AbortSignal, critical: (inside: boolean) => void = () => {}) => run(claim.offer, lock, { signal, critical }).finally(() => lock.release());
  const running = deps.operations ? deps.operations.run(work) : work();
  if (!running) {
    await lock.release();
    deps.offers.reopen(offerId);
    await failed(new StoppingError());
    return { started: false };
  }
  void running.catch((error) => deps.logger.error({ err: error, surface: actor.surface, user: actor.id }, 'offered operation crashed'));
  return { started: true };
}

/**
 * A confirmed restore offer: the restore, with `withAddons` as the offer's
 * checkbox said at the press, followed through `reporter(offer)`. From the
 * switch on, stopping the bot waits for the restore to end. Logs its result once.
 */
export function confirmRestore(
  deps: OfferDeps,
  actor: Actor,
  offerId: string,
  options: { withAddons: boolean },
  reporter: (offer: RestoreOffer) => Reporter<RestoreProgress, RestoreOutcome>,
  failed: (error: OperationError) => Promise<void>,
): Promise<{ started: boolean }> {
  return confirmOffer(
    deps,
    actor,
    offerId,
    async (offer, lock, stopping) => {
      const report = reporter(offer);
      await report.started();
      deps.logger.info({ surface: actor.surface, user: actor.id, name: offer.name, withAddons: options.withAddons }, 'restore started');
      const outcome = await restoreCommand(deps.services, {
        name: offer.name,
        startedBy: actor.label,
        options: { safetyBackup: false, withAddons: options.withAddons },
        ownLock: lock,
        signal: stopping.signal,
        onProgress: (p) => {
          if (p.stage === 'switch' && p.state === 'started') stopping.critical(true);
          report.progress(p);
        },
      });
      await report.finished(outcome);
      if (outcome.ok) deps.logger.info({ surface: actor.surface, user: actor.id, name: offer.name, durationMs: outcome.durationMs, downtimeMs: outcome.downtimeMs }, 'restore succeeded');
      else deps.logger.error({ surface: actor.surface, user: actor.id, name: offer.name, stage: outcome.error.stage, err: outcome.error, liveUntouched: outcome.liveUntouched }, 'restore failed');
      return outcome;
    },
    failed,
  );
}

/** Cancels an offer, once; the claim says what happened (a surface renders a refusal). */
export function cancelOffer(offers: RestoreOffers, actor: Actor, offerId: string): Claim {
  return offers.claim(offerId, 'cancelled', actor.id);
}
