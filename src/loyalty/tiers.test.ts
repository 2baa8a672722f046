import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../kernel/time.ts';
import { TierProgram } from './program.ts';
import {
  evaluateTier,
  type Membership,
  membershipRenewalsDue,
  NO_TIER,
  purchaseMembership,
  tierBenefits,
  tierInForce,
  tierProgress,
} from './tiers.ts';

const T = Date.UTC(2025, 0, 1);
const program = TierProgram.parse({
  graceDays: 30,
  levels: [
    { code: 'silver', name: 'Silver', minSpendMinor: 20_000, benefits: { discountBps: 300 } },
    {
      code: 'gold',
      name: 'Gold',
      minSpendMinor: 50_000,
      benefits: { earnMultiplierBps: 15_000, discountBps: 500 },
    },
    {
      code: 'club',
      name: 'Club',
      membershipOnly: true,
      minSpendMinor: 0,
      membership: { priceMinor: 4900, periodDays: 365 },
      benefits: { freeShipping: true },
    },
  ],
});
const spend = (spendMinor: number) => ({ spendMinor, orderCount: 0 });

describe('tierInForce', () => {
  const club: Membership = { id: 'm', tier: 'club', startsAt: T, endsAt: T + 365 * DAY_MS };
  it('is the stored tier, but a membership counts only while it lasts', () => {
    expect(tierInForce(program, { tier: 'gold', earnedTier: 'gold' }, [], T)).toBe('gold');
    const paid = { tier: 'club', earnedTier: 'silver' };
    expect(tierInForce(program, paid, [club], T + DAY_MS)).toBe('club');
    expect(tierInForce(program, paid, [club], club.endsAt)).toBe('silver');
    // A renewal that starts where the first period ends keeps it.
    const renewal = { ...club, id: 'r', startsAt: club.endsAt, endsAt: club.endsAt + 365 * DAY_MS };
    expect(tierInForce(program, paid, [club, renewal], club.endsAt)).toBe('club');
    expect(tierInForce(program, { tier: 'club', earnedTier: null }, [], T)).toBeNull();
  });
});

describe('evaluateTier', () => {
  it('upgrades at once when the rolling spend reaches a level, with a tier_changed event', () => {
    const r = evaluateTier(program, 'c', NO_TIER, spend(60_000), [], T);
    expect(r.next).toEqual({ tier: 'gold', earnedTier: 'gold', graceUntil: null });
    expect(r.events).toMatchObject([{ type: 'tier_changed', from: null, to: 'gold', cause: 'qualified' }]);
  });

  it('keeps the tier through the grace period, then downgrades', () => {
    const gold = { tier: 'gold', earnedTier: 'gold', graceUntil: null };
    const a = evaluateTier(program, 'c', gold, spend(30_000), [], T);
    expect(a.next).toEqual({ tier: 'gold', earnedTier: 'gold', graceUntil: T + 30 * DAY_MS });
    expect(a.changed).toBe(false);
    const b = evaluateTier(program, 'c', a.next, spend(30_000), [], T + 29 * DAY_MS);
    expect(b.next.tier).toBe('gold');
    const c = evaluateTier(program, 'c', b.next, spend(30_000), [], T + 30 * DAY_MS);
    expect(c.next).toEqual({ tier: 'silver', earnedTier: 'silver', graceUntil: null });
    expect(c.events).toMatchObject([{ from: 'gold', to: 'silver', cause: 'grace_ended' }]);
  });

  it('clears the grace period when the customer qualifies again', () => {
    const inGrace = { tier: 'gold', earnedTier: 'gold', graceUntil: T + DAY_MS };
    expect(evaluateTier(program, 'c', inGrace, spend(55_000), [], T).next).toEqual({
      tier: 'gold',
      earnedTier: 'gold',
      graceUntil: null,
    });
  });

  it('holds a paid tier from start to end of its period, then falls back to the earned one', () => {
    const m: Membership = { id: 'm1', tier: 'club', startsAt: T, endsAt: T + 365 * DAY_MS };
    const on = evaluateTier(program, 'c', NO_TIER, spend(0), [m], T);
    expect(on.next.tier).toBe('club');
    expect(on.events).toMatchObject([{ cause: 'membership_started', to: 'club' }]);
    expect(evaluateTier(program, 'c', NO_TIER, spend(0), [m], T - 1).next.tier).toBeNull();
    const off = evaluateTier(program, 'c', on.next, spend(25_000), [m], m.endsAt);
    expect(off.next.tier).toBe('silver');
    expect(off.events).toMatchObject([{ cause: 'membership_ended', from: 'club', to: 'silver' }]);
  });
});

describe('memberships', () => {
  it('sells only tiers with a price, and renews from the end of the current period', () => {
    expect(purchaseMembership(program, [], 'gold', 'm', T)).toEqual({
      type: 'rejected',
      reason: 'not_for_sale',
      tier: 'gold',
    });
    expect(purchaseMembership(program, [], 'platinum', 'm', T)).toMatchObject({ reason: 'unknown_tier' });
    const first = purchaseMembership(program, [], 'club', 'm1', T);
    expect(first).toEqual({
      type: 'created',
      membership: { id: 'm1', tier: 'club', startsAt: T, endsAt: T + 365 * DAY_MS },
      priceMinor: 4900,
    });
    if (first.type !== 'created') return;
    const renewal = purchaseMembership(program, [first.membership], 'club', 'm2', T + 300 * DAY_MS);
    expect(renewal).toMatchObject({ membership: { startsAt: T + 365 * DAY_MS, endsAt: T + 730 * DAY_MS } });
  });

  it('reminds 14 days before the end, once per membership, unless already renewed', () => {
    const m: Membership = { id: 'm1', tier: 'club', startsAt: T, endsAt: T + 365 * DAY_MS };
    expect(membershipRenewalsDue(program, 'c', [m], T + 350 * DAY_MS)).toEqual([]);
    expect(membershipRenewalsDue(program, 'c', [m], T + 351 * DAY_MS)).toMatchObject([
      { type: 'membership_renewal_due', key: 'membership_renewal_due:m1', endsAt: m.endsAt },
    ]);
    const next: Membership = { id: 'm2', tier: 'club', startsAt: m.endsAt, endsAt: m.endsAt + 365 * DAY_MS };
    expect(membershipRenewalsDue(program, 'c', [m, next], T + 351 * DAY_MS)).toEqual([]);
  });
});

describe('tier progress and benefits', () => {
  it('says how much more spend reaches the next level', () => {
    expect(tierProgress(program, 'silver', spend(32_000))).toEqual({
      tier: 'silver',
      next: { code: 'gold', name: 'Gold', remainingSpendMinor: 18_000, remainingOrders: 0 },
    });
    expect(tierProgress(program, 'gold', spend(90_000)).next).toBeNull();
  });
  it('gives neutral benefits without a tier', () => {
    expect(tierBenefits(program, null)).toEqual({
      earnMultiplierBps: 10_000,
      discountBps: 0,
      freeShipping: false,
    });
    expect(tierBenefits(program, 'gold').earnMultiplierBps).toBe(15_000);
  });
  it('rejects levels out of order and duplicate codes', () => {
    const bad = TierProgram.safeParse({
      levels: [
        { code: 'a', name: 'A', minSpendMinor: 10 },
        { code: 'a', name: 'B', minSpendMinor: 5 },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual([
      'duplicate tier code',
      'levels must go from lowest to highest',
    ]);
  });
});

describe('evaluateTier, as the daily job runs it', () => {
  it('evaluating again at the same time with the stored result changes nothing and emits nothing (property)', () => {
    const codes = [null, 'silver', 'gold', 'club'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.constantFrom(...codes),
        fc.option(fc.integer({ min: -60, max: 60 }), { nil: null }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(
          fc.record({ start: fc.integer({ min: -400, max: 10 }), days: fc.integer({ min: 1, max: 400 }) }),
          {
            maxLength: 3,
          },
        ),
        (tier, earnedTier, graceDays, spendMinor, periods) => {
          const memberships: Membership[] = periods.map((p, i) => ({
            id: `m${i}`,
            tier: 'club',
            startsAt: T + p.start * DAY_MS,
            endsAt: T + (p.start + p.days) * DAY_MS,
          }));
          const state = { tier, earnedTier, graceUntil: graceDays === null ? null : T + graceDays * DAY_MS };
          const activity = { spendMinor, orderCount: 1 };
          const first = evaluateTier(program, 'c', state, activity, memberships, T);
          const second = evaluateTier(program, 'c', first.next, activity, memberships, T);
          expect(second.changed).toBe(false);
          expect(second.events).toEqual([]);
          expect(second.next).toEqual(first.next);
        },
      ),
    );
  });
});
