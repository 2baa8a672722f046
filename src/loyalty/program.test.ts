import { describe, expect, it } from 'vitest';
import { LoyaltyProgram } from './program.ts';

describe('LoyaltyProgram', () => {
  it('defaults: 1 point per 1.00, 14 days pending, 90 days expiry, 100 points = 1.00, 365-day tiers with 30 days grace', () => {
    const p = LoyaltyProgram.parse({ currency: 'eur' });
    expect(p).toMatchObject({
      currency: 'EUR',
      earn: { points: 1, perAmountMinor: 100 },
      pendingDays: 14,
      expiryDays: 90,
      redemption: {
        points: 100,
        valueMinor: 100,
        minPoints: 0,
        maxPointsPerOrder: null,
        maxShareBps: 10_000,
      },
      tiers: { basis: 'spend', windowDays: 365, graceDays: 30, renewalReminderDays: 14, levels: [] },
      certificate: null,
    });
    expect(LoyaltyProgram.parse({ currency: 'EUR', certificate: { promotionId: 'p' } }).certificate).toEqual({
      every: 5,
      promotionId: 'p',
      validDays: 60,
    });
  });
});
