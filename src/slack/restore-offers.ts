import { randomBytes } from 'node:crypto';

/** A restore the bot offered in a channel, waiting for an administrator's confirmation. */
export interface RestoreOffer {
  id: string;
  name: string;
  /** Who asked for the offer. */
  requestedBy: string;
  channelId: string;
  /** The offer message, once posted. */
  ts: string | null;
  expiresAt: number;
}

export type Claim =
  | { ok: true; offer: RestoreOffer }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'cancelled'; offer?: RestoreOffer; by?: string };

/** How long a restore offer can be confirmed. */
export const OFFER_TTL_MS = 10 * 60_000;

/**
 * The restore offers of this bot process. An offer can be claimed once, by
 * confirming or cancelling it, before it expires; the claim is synchronous, so
 * two presses arriving together cannot both win. Offers do not survive a
 * restart of the bot (a press then answers "unknown": run `/odoo restore` again).
 */
export class RestoreOffers {
  private readonly offers = new Map<string, RestoreOffer>();
  private readonly claimed = new Map<string, { as: 'used' | 'cancelled'; by: string }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = OFFER_TTL_MS,
  ) {}

  create(name: string, requestedBy: string, channelId: string): RestoreOffer {
    this.forgetOld();
    const offer = { id: randomBytes(9).toString('base64url'), name, requestedBy, channelId, ts: null, expiresAt: this.now() + this.ttlMs };
    this.offers.set(offer.id, offer);
    return offer;
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

  /** Makes a claimed offer usable again (the restore could not start after all). */
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
