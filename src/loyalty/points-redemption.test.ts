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
