import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../kernel/time.ts';
import { LoyaltyProgram } from './program.ts';
import { checkReferral, normalizeEmail, type ReferralParty, referralConversion } from './referrals.ts';

const T = Date.UTC(2025, 3, 1);
const referrer: ReferralParty = {
  customerId: 'c1',
  email: 'Anna.Smith+shop@gmail.com',
  phone: '+49 151 2345 6789',
  address: { line1: 'Hauptstraße 5', postalCode: '10115', country: 'DE' },
};
const stranger: ReferralParty = {
  customerId: 'c2',
  email: 'bob@example.com',
  phone: '030 9999 1111',
  address: { line1: 'Ring 1', postalCode: '20095', country: 'DE' },
};

describe('checkReferral', () => {
  it('accepts a new customer who is someone else', () => {
    expect(checkReferral(referrer, stranger, 0)).toEqual({ ok: true });
  });
  it('catches self-referral by id, email (tags and Gmail dots), phone and address', () => {
    expect(checkReferral(referrer, { ...stranger, customerId: 'c1' }, 0)).toMatchObject({
      matched: 'customer',
    });
    expect(checkReferral(referrer, { ...stranger, email: 'annasmith@googlemail.com' }, 0)).toMatchObject({
      reason: 'self_referral',
      matched: 'email',
    });
    expect(checkReferral(referrer, { ...stranger, phone: '0151-23456789' }, 0)).toMatchObject({
      matched: 'phone',
    });
    expect(
      checkReferral(
        referrer,
        {
          ...stranger,
          address: { line1: 'HAUPTSTRASSE 5 ', postalCode: '10115', country: 'de' },
        },
        0,
      ),
    ).toMatchObject({ matched: 'address' });
  });
  it('refuses a referee who has ordered before', () => {
    expect(checkReferral(referrer, stranger, 2)).toEqual({
      ok: false,
      reason: 'not_new_customer',
      orderCount: 2,
    });
  });
  it('normalises emails without touching other providers’ dots', () => {
    expect(normalizeEmail(' First.Last+x@Example.com ')).toBe('first.last@example.com');
  });
});

describe('referralConversion', () => {
  const program = LoyaltyProgram.parse({
    currency: 'EUR',
    referral: { referrerPoints: 500, refereePoints: 250, minOrderMinor: 3000 },
  });
  const referral = { id: 'ref1', referrerId: 'c1', refereeId: 'c2' };
  const order = { orderId: 'o1', placedAt: T, totalMinor: 4000, refundedMinor: 0 };
  it('waits for the return window to pass', () => {
    expect(referralConversion(program, referral, order, T + DAY_MS)).toEqual({
      type: 'wait',
      until: T + 14 * DAY_MS,
    });
  });
  it('rewards both sides once the first order passed the minimum and the window', () => {
    const r = referralConversion(program, referral, order, T + 14 * DAY_MS);
    expect(r.type).toBe('converted');
    if (r.type !== 'converted') return;
    expect(
      r.operations.map((o) => [
        o.customerId,
        o.operation.type === 'bonus' && o.operation.points,
        o.operation.type === 'bonus' && o.operation.key,
      ]),
    ).toEqual([
      ['c1', 500, 'bonus:referral:ref1:referrer'],
      ['c2', 250, 'bonus:referral:ref1:referee'],
    ]);
    expect(r.event).toMatchObject({
      type: 'referral_converted',
      key: 'referral_converted:ref1',
      orderId: 'o1',
    });
  });
  it('does not convert when refunds take the order below the minimum', () => {
    expect(referralConversion(program, referral, { ...order, refundedMinor: 1500 }, T + 20 * DAY_MS)).toEqual(
      {
        type: 'rejected',
        reason: 'order_below_minimum',
        netMinor: 2500,
        minOrderMinor: 3000,
      },
    );
  });
});
