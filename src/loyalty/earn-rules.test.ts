import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../kernel/time.ts';
import {
  birthdayBonusOperation,
  bonusOperation,
  earnOperation,
  earnPoints,
  refundOperation,
} from './earn-rules.ts';
import { LoyaltyProgram } from './program.ts';

const T = Date.UTC(2025, 5, 10, 12);

const base = {
  lines: [{ productId: 'p1', categoryIds: ['shoes'], paidMinor: 2599 }],
  orderTotalMinor: 2599,
  isFirstOrder: false,
  tierMultiplierBps: 10_000,
  promotionPoints: 0,
  at: T,
};

describe('earnPoints', () => {
  it('earns the default 1 point per 1.00 paid, rounded down once per order', () => {
    const program = LoyaltyProgram.parse({ currency: 'EUR' });
    const lines = [
      { productId: 'a', categoryIds: [], paidMinor: 150 },
      { productId: 'b', categoryIds: [], paidMinor: 150 },
    ];
    expect(earnPoints(program, { ...base, lines, orderTotalMinor: 300 }).points).toBe(3);
  });

  it('multiplies by product over category, by the best active campaign and by the tier', () => {
    const program = LoyaltyProgram.parse({
      currency: 'EUR',
      productMultipliers: [{ productIds: ['p1'], multiplierBps: 30_000 }],
      categoryMultipliers: [{ categoryIds: ['shoes', 'bags'], multiplierBps: 20_000 }],
      campaigns: [
        {
          id: 'summer',
          startsAt: T - DAY_MS,
          endsAt: T + DAY_MS,
          multiplierBps: 15_000,
          categoryIds: ['bags'],
        },
        { id: 'old', startsAt: T - 9 * DAY_MS, endsAt: T - DAY_MS, multiplierBps: 50_000 },
      ],
    });
    const lines = [
      { productId: 'p1', categoryIds: ['shoes'], paidMinor: 1000 }, // ×3 product
      { productId: 'p2', categoryIds: ['bags'], paidMinor: 1000 }, // ×2 category × 1.5 campaign
      { productId: 'p3', categoryIds: [], paidMinor: 1000 }, // ×1
    ];
    const r = earnPoints(program, { ...base, lines, orderTotalMinor: 3000, tierMultiplierBps: 12_500 });
    // (30 + 30 + 10) × 1.25
    expect(r).toMatchObject({ points: 87, basePoints: 30, multiplierPoints: 57 });
  });

  it('adds the highest order-above-an-amount bonus reached, the first-order bonus and promotion points', () => {
    const program = LoyaltyProgram.parse({
      currency: 'EUR',
      orderBonuses: [
        { minTotalMinor: 5000, points: 20 },
        { minTotalMinor: 10_000, points: 50 },
      ],
      bonuses: { firstOrder: 100 },
    });
    const r = earnPoints(program, {
      ...base,
      orderTotalMinor: 12_000,
      isFirstOrder: true,
      promotionPoints: 7,
    });
    expect(r).toMatchObject({
      points: 25 + 50 + 100 + 7,
      orderBonusPoints: 50,
      firstOrderPoints: 100,
      promotionPoints: 7,
    });
    expect(earnPoints(program, { ...base, orderTotalMinor: 4999 }).orderBonusPoints).toBe(0);
  });
});

describe('ledger operations from the program', () => {
  const program = LoyaltyProgram.parse({ currency: 'EUR', bonuses: { birthday: 200 } });
  it('keeps order points pending for the return window (14 days) and lets them live 90 days after', () => {
    expect(earnOperation(program, 'o1', 25, T)).toMatchObject({
      key: 'earn:o1',
      availableAt: T + 14 * DAY_MS,
      expiresAt: T + 104 * DAY_MS,
    });
  });
  it('keys a refund by its id', () => {
    const op = refundOperation({
      orderId: 'o',
      refundId: 'r1',
      orderTotalMinor: 10,
      refundedTotalMinor: 5,
      at: T,
    });
    expect(op).toMatchObject({ key: 'refund:r1', type: 'refund' });
  });
  it('pays a bonus once per ref and nothing when the program gives 0 points', () => {
    expect(bonusOperation(program, 'survey', 'sv1', 0, T)).toBeNull();
    expect(bonusOperation(program, 'survey', 'sv1', 30, T)).toMatchObject({
      key: 'bonus:survey:sv1',
      availableAt: T,
    });
  });
  it('pays the birthday bonus on the local birthday, keyed by year; 29 February on the 28th', () => {
    expect(birthdayBonusOperation(program, { month: 6, day: 10 }, T, 0)).toMatchObject({
      key: 'bonus:birthday:2025',
      points: 200,
    });
    expect(birthdayBonusOperation(program, { month: 6, day: 11 }, T, 0)).toBeNull();
    // 23:30 UTC on the 10th is already the 11th at UTC+2.
    expect(
      birthdayBonusOperation(program, { month: 6, day: 11 }, Date.UTC(2025, 5, 10, 23, 30), 120),
    ).not.toBeNull();
    expect(
      birthdayBonusOperation(program, { month: 2, day: 29 }, Date.UTC(2025, 1, 28, 9), 0),
    ).not.toBeNull();
    expect(birthdayBonusOperation(program, { month: 6, day: 10 }, T, 0)).not.toBeNull();
    expect(birthdayBonusOperation(program, null, T, 0)).toBeNull();
  });
});
