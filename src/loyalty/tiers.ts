/**
 * VIP tiers: which level a customer's rolling spend (or order count) earns, a grace period
 * before a downgrade, paid memberships that hold a tier for a period, and renewal reminders.
 * The caller stores `TierState` per customer and saves the next one with the events, atomically.
 */
import { DAY_MS } from '../kernel/time.ts';
import type { TierBenefits, TierLevel, TierProgram } from './program.ts';
import type { EpochMs, LoyaltyEvent } from './types.ts';

/** What the repository keeps per customer. */
export interface TierState {
  /** The tier in force (earned or paid), null for none. */
  tier: string | null;
  /** The tier earned by spend/orders, kept through the grace period. */
  earnedTier: string | null;
  /** When a pending downgrade of `earnedTier` happens; null when none is pending. */
  graceUntil: EpochMs | null;
}

export const NO_TIER: TierState = { tier: null, earnedTier: null, graceUntil: null };

/** A bought period of a tier: in force for startsAt ≤ t < endsAt. */
export interface Membership {
  id: string;
  tier: string;
  startsAt: EpochMs;
  endsAt: EpochMs;
}

/** The customer's activity over the rolling window (the caller sums it in SQL). */
export interface RollingActivity {
  spendMinor: number;
  orderCount: number;
}

export interface TierEvaluation {
  next: TierState;
  /** The level the activity alone reaches now. */
  qualified: string | null;
  /** The paid membership in force, if any. */
  membership: Membership | null;
  changed: boolean;
  events: LoyaltyEvent[];
}

function rank(program: TierProgram, code: string | null): number {
  if (code === null) return -1;
  return program.levels.findIndex((l) => l.code === code);
}

/** The level a tier code names, if the program still has it. */
export function tierLevel(program: TierProgram, code: string | null): TierLevel | null {
  return code === null ? null : (program.levels.find((l) => l.code === code) ?? null);
}

/** The benefits of a tier, or the neutral ones (×1 earn, no discount, no free shipping). */
export function tierBenefits(program: TierProgram, code: string | null): TierBenefits {
  return (
    tierLevel(program, code)?.benefits ?? { earnMultiplierBps: 10_000, discountBps: 0, freeShipping: false }
  );
}

/** The highest level the activity meets (membership-only levels excluded). */
export function qualifyingTier(program: TierProgram, activity: RollingActivity): string | null {
  let best: string | null = null;
  for (const l of program.levels) {
    if (l.membershipOnly) continue;
    const met =
      program.basis === 'spend' ? activity.spendMinor >= l.minSpendMinor : activity.orderCount >= l.minOrders;
    if (met) best = l.code;
  }
  return best;
}

/** The membership in force at `now` with the highest tier. */
export function activeMembership(
  program: TierProgram,
  memberships: readonly Membership[],
  now: EpochMs,
): Membership | null {
  let best: Membership | null = null;
  for (const m of memberships) {
    if (m.startsAt > now || m.endsAt <= now || rank(program, m.tier) < 0) continue;
    if (best === null || rank(program, m.tier) > rank(program, best.tier)) best = m;
  }
  return best;
}

/**
 * The customer's tier at `now`. Upgrades are immediate; a drop below the earned tier starts a
 * grace period and happens when it ends (unless the customer qualifies again); a paid
 * membership holds its tier while in force. Emits `tier_changed` when the tier in force changes.
 */
export function evaluateTier(
  program: TierProgram,
  customerId: string,
  state: TierState,
  activity: RollingActivity,
  memberships: readonly Membership[],
  now: EpochMs,
): TierEvaluation {
  const qualified = qualifyingTier(program, activity);
  let earnedTier = rank(program, state.earnedTier) < 0 ? null : state.earnedTier;
  let graceUntil = state.graceUntil;
  let cause: 'qualified' | 'grace_ended' = 'qualified';
  if (rank(program, qualified) >= rank(program, earnedTier)) {
    earnedTier = qualified;
    graceUntil = null;
  } else if (program.graceDays === 0) {
    earnedTier = qualified;
    graceUntil = null;
  } else if (graceUntil === null) {
    graceUntil = now + program.graceDays * DAY_MS;
  } else if (now >= graceUntil) {
    earnedTier = qualified;
    graceUntil = null;
    cause = 'grace_ended';
  }
  const membership = activeMembership(program, memberships, now);
  const paid = membership?.tier ?? null;
  const tier = rank(program, paid) > rank(program, earnedTier) ? paid : earnedTier;
  const next: TierState = { tier, earnedTier, graceUntil };
  const changed = tier !== state.tier;
  const events: LoyaltyEvent[] = [];
  if (changed) {
    const byPayment = tier === paid && paid !== null;
    const lostPayment =
      state.tier !== null &&
      state.tier !== state.earnedTier &&
      paid !== state.tier &&
      rank(program, tier) < rank(program, state.tier);
    events.push({
      type: 'tier_changed',
      key: `tier_changed:${customerId}:${now}:${tier ?? 'none'}`,
      customerId,
      at: now,
      from: state.tier,
      to: tier,
      cause: byPayment ? 'membership_started' : lostPayment ? 'membership_ended' : cause,
    });
  }
  return { next, qualified, membership, changed, events };
}

/**
 * The tier in force at `now` between two runs of the tier job: the one it stored, except that a
 * paid membership counts only while it lasts (the job that ends it runs nightly). `memberships`
 * are the customer's, needed only when the stored tier is above the earned one (a membership's).
 */
export function tierInForce(
  program: TierProgram,
  stored: { tier: string | null; earnedTier: string | null },
  memberships: readonly Membership[],
  now: EpochMs,
): string | null {
  if (stored.tier === stored.earnedTier) return stored.tier;
  const paid = activeMembership(program, memberships, now)?.tier ?? null;
  return rank(program, paid) > rank(program, stored.earnedTier) ? paid : stored.earnedTier;
}

/** How far the customer is from the next level (after this order, if its amounts are added). */
export interface TierProgress {
  tier: string | null;
  next: { code: string; name: string; remainingSpendMinor: number; remainingOrders: number } | null;
}

/** Progress towards the next level above `current`, counting `activity` over the rolling window. */
export function tierProgress(
  program: TierProgram,
  current: string | null,
  activity: RollingActivity,
): TierProgress {
  const from = Math.max(rank(program, current), rank(program, qualifyingTier(program, activity)));
  for (let i = from + 1; i < program.levels.length; i++) {
    const l = program.levels[i];
    if (l.membershipOnly) continue;
    return {
      tier: current,
      next: {
        code: l.code,
        name: l.name,
        remainingSpendMinor:
          program.basis === 'spend' ? Math.max(0, l.minSpendMinor - activity.spendMinor) : 0,
        remainingOrders: program.basis === 'orders' ? Math.max(0, l.minOrders - activity.orderCount) : 0,
      },
    };
  }
  return { tier: current, next: null };
}

/** A membership purchase: a new period, or why not. */
export type MembershipPurchase =
  | { type: 'created'; membership: Membership; priceMinor: number }
  | { type: 'rejected'; reason: 'unknown_tier' | 'not_for_sale'; tier: string };

/**
 * Buys `tier` for its period. A renewal starts when the customer's latest period of the same
 * tier ends, so paying early loses no days.
 */
export function purchaseMembership(
  program: TierProgram,
  memberships: readonly Membership[],
  tier: string,
  membershipId: string,
  now: EpochMs,
): MembershipPurchase {
  const level = tierLevel(program, tier);
  if (!level) return { type: 'rejected', reason: 'unknown_tier', tier };
  if (!level.membership) return { type: 'rejected', reason: 'not_for_sale', tier };
  let startsAt = now;
  for (const m of memberships)
    if (m.tier === tier && m.endsAt > startsAt && m.startsAt <= startsAt) startsAt = m.endsAt;
  return {
    type: 'created',
    membership: { id: membershipId, tier, startsAt, endsAt: startsAt + level.membership.periodDays * DAY_MS },
    priceMinor: level.membership.priceMinor,
  };
}

/**
 * Renewal reminders: memberships that end within `renewalReminderDays` and have no later period
 * of the same tier, one event each (keyed by membership).
 */
export function membershipRenewalsDue(
  program: TierProgram,
  customerId: string,
  memberships: readonly Membership[],
  now: EpochMs,
): LoyaltyEvent[] {
  const events: LoyaltyEvent[] = [];
  for (const m of memberships) {
    if (m.endsAt <= now || m.endsAt - program.renewalReminderDays * DAY_MS > now) continue;
    if (memberships.some((o) => o !== m && o.tier === m.tier && o.startsAt >= m.endsAt)) continue;
    events.push({
      type: 'membership_renewal_due',
      key: `membership_renewal_due:${m.id}`,
      customerId,
      at: now,
      tier: m.tier,
      endsAt: m.endsAt,
    });
  }
  return events;
}
