import { describe, expect, it } from 'vitest';
import { OFFER_TTL_MS, RestoreOffers } from '../../commands/restore-offers.js';

describe('restore offers', () => {
  it('can be claimed once, by the first press only', () => {
    const offers = new RestoreOffers(() => 0);
    const offer = offers.create('odoo_backup_2026-01-01_02-00-00.tar.gz', 'U1', 'C1');
    expect(offers.claim(offer.id, 'used', 'U2')).toEqual({ ok: true, offer });
    expect(offers.claim(offer.id, 'used', 'U3')).toEqual({ ok: false, reason: 'used', offer, by: 'U2' });
    expect(offers.claim(offer.id, 'cancelled', 'U3')).toEqual({ ok: false, reason: 'used', offer, by: 'U2' });
  });

  it('expire after ten minutes; a cancelled offer cannot be confirmed; an unknown id is said to be unknown', () => {
    let now = 1_000;
    const offers = new RestoreOffers(() => now);
    const late = offers.create('odoo_backup_2026-01-01_02-00-00.tar.gz', 'U1', 'C1');
    now += OFFER_TTL_MS + 1;
    expect(offers.claim(late.id, 'used', 'U1')).toMatchObject({ ok: false, reason: 'expired' });
    const cancelled = offers.create('odoo_backup_2026-01-01_02-00-00.tar.gz', 'U1', 'C1');
    expect(offers.claim(cancelled.id, 'cancelled', 'U1').ok).toBe(true);
    expect(offers.claim(cancelled.id, 'used', 'U2')).toMatchObject({ ok: false, reason: 'cancelled', by: 'U1' });
    expect(offers.claim('nope', 'used', 'U1')).toEqual({ ok: false, reason: 'unknown' });
    expect(late.id).not.toBe(cancelled.id);
  });
});
