import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteRedemption } from './points-redemption.ts';
import { LoyaltyProgram } from './program.ts';

const req = { requestedPoints: 250, availablePoints: 900, payableMinor: 5000, isGuest: false };

describe('quoteRedemption', () => {
  const program = LoyaltyProgram.parse({
    currency: 'EUR',
    redemption: { points: 10, valueMinor: 5, minPoints: 100, maxPointsPerOrder: 600, maxShareBps: 5000 },
  });
  it('turns points into money at the configured rate (10 points = 0.05)', () => {
    expect(quoteRedemption(program, req)).toEqual({
      type: 'redeemed',
      points: 250,
      valueMinor: 125,
      capped: null,
    });
  });
  it('charges only the points that buy whole minor units', () => {
    expect(quoteRedemption(program, { ...req, requestedPoints: 255 })).toEqual({
      type: 'redeemed',
      points: 254,
      valueMinor: 127,
      capped: 'rate_step',
    });
  });
  it('caps at the balance, the per-order maximum and the share of the order', () => {
    expect(quoteRedemption(program, { ...req, requestedPoints: 500, availablePoints: 300 })).toMatchObject({
      points: 300,
      capped: 'balance',
    });
    expect(quoteRedemption(program, { ...req, requestedPoints: 800 })).toMatchObject({
      points: 600,
      capped: 'max_points',
    });
    expect(quoteRedemption(program, { ...req, payableMinor: 200 })).toEqual({
      type: 'redeemed',
      points: 200,
      valueMinor: 100,
      capped: 'max_share',
    });
  });
  it('refuses guests, amounts below the minimum, an empty balance and an order with nothing to pay', () => {
    expect(quoteRedemption(program, { ...req, isGuest: true })).toEqual({
      type: 'rejected',
      reason: 'customer_required',
    });
    expect(quoteRedemption(program, { ...req, requestedPoints: 50 })).toEqual({
      type: 'rejected',
      reason: 'below_minimum',
      minPoints: 100,
    });
    expect(quoteRedemption(program, { ...req, availablePoints: 0 })).toEqual({
      type: 'rejected',
      reason: 'insufficient_points',
      available: 0,
    });
    expect(quoteRedemption(program, { ...req, payableMinor: 0 })).toEqual({
      type: 'rejected',
      reason: 'nothing_to_pay',
    });
    expect(quoteRedemption(program, { ...req, requestedPoints: 0 })).toEqual({ type: 'none' });
  });
});

describe('quoteRedemption properties', () => {
  it('never uses more points than asked or held, nor pays more than allowed, and charges what the value costs', () => {
    fc.assert(
      fc.property(
        fc.record({
          points: fc.integer({ min: 1, max: 1000 }),
          valueMinor: fc.integer({ min: 1, max: 1000 }),
          minPoints: fc.nat(500),
          maxPointsPerOrder: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }),
          maxShareBps: fc.integer({ min: 0, max: 10_000 }),
        }),
        fc.nat(20_000),
        fc.nat(20_000),
        fc.nat(100_000),
        (redemption, requestedPoints, availablePoints, payableMinor) => {
          const program = LoyaltyProgram.parse({ currency: 'EUR', redemption });
          const q = quoteRedemption(program, {
            requestedPoints,
            availablePoints,
            payableMinor,
            isGuest: false,
          });
          if (q.type !== 'redeemed') return;
          expect(q.points).toBeGreaterThanOrEqual(Math.max(1, redemption.minPoints));
          expect(q.points).toBeLessThanOrEqual(
            Math.min(requestedPoints, availablePoints, redemption.maxPointsPerOrder ?? Infinity),
          );
          expect(q.valueMinor).toBeGreaterThan(0);
          expect(q.valueMinor).toBeLessThanOrEqual(
            Math.floor((payableMinor * redemption.maxShareBps) / 10_000),
          );
          // The points charged buy exactly the value given, and one point fewer would not.
          expect(Math.floor((q.points * redemption.valueMinor) / redemption.points)).toBeGreaterThanOrEqual(
            q.valueMinor,
          );
          expect(Math.floor(((q.points - 1) * redemption.valueMinor) / redemption.points)).toBeLessThan(
            q.valueMinor,
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
