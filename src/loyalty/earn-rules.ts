/**
 * How many points an order earns: the program's rate on what was paid per line, times the
 * line's product (or else category) multiplier, the best active campaign's and the tier's,
 * plus the order-above-an-amount and first-order bonuses. Exact integer arithmetic, one floor
 * at the end, so the order of lines never changes the result.
 */
import { DAY_MS } from '../kernel/time.ts';
import { daysFromMonthDay, type MonthDay } from './calendar.ts';
import type { LoyaltyProgram } from './program.ts';
import type { BonusRule, EpochMs, LedgerOperation } from './types.ts';

const ONE = 10_000n;

/** One order line as the earn rules see it: what the customer paid for it after every discount. */
export interface EarnLine {
  productId: string;
  categoryIds: readonly string[];
  paidMinor: number;
}

export interface EarnInput {
  lines: readonly EarnLine[];
  /** The order's total for the order-above-an-amount bonus (goods after discounts, no shipping). */
  orderTotalMinor: number;
  isFirstOrder: boolean;
  tierMultiplierBps: number;
  /** Extra points a promotion grants with this order. */
  promotionPoints: number;
  at: EpochMs;
}

/** The points an order earns, split the way a receipt shows it. */
export interface EarnResult {
  points: number;
  /** At the plain rate, no multiplier. */
  basePoints: number;
  /** Added by product, category, campaign and tier multipliers. */
  multiplierPoints: number;
  orderBonusPoints: number;
  firstOrderPoints: number;
  promotionPoints: number;
}

interface EarnIndex {
  product: Map<string, bigint>;
  category: Map<string, bigint>;
}

const indexes = new WeakMap<LoyaltyProgram, EarnIndex>();

/** Product and category multipliers as maps, built once per program value. */
function earnIndex(program: LoyaltyProgram): EarnIndex {
  let ix = indexes.get(program);
  if (ix) return ix;
  ix = { product: new Map(), category: new Map() };
  for (const m of program.productMultipliers)
    for (const p of m.productIds) ix.product.set(p, bigMax(ix.product.get(p), BigInt(m.multiplierBps)));
  for (const m of program.categoryMultipliers)
    for (const c of m.categoryIds) ix.category.set(c, bigMax(ix.category.get(c), BigInt(m.multiplierBps)));
  indexes.set(program, ix);
  return ix;
}

function bigMax(a: bigint | undefined, b: bigint): bigint {
  return a === undefined || b > a ? b : a;
}

/** The line's product multiplier, or else its best category multiplier, or ×1. */
function lineMultiplier(ix: EarnIndex, line: EarnLine): bigint {
  const p = ix.product.get(line.productId);
  if (p !== undefined) return p;
  let best: bigint | undefined;
  for (const c of line.categoryIds) {
    const m = ix.category.get(c);
    if (m !== undefined) best = bigMax(best, m);
  }
  return best ?? ONE;
}

/** The best campaign multiplier active at `at` that covers the line, or ×1. */
function campaignMultiplier(program: LoyaltyProgram, line: EarnLine, at: EpochMs): bigint {
  let best = ONE;
  for (const c of program.campaigns) {
    if (at < c.startsAt || at >= c.endsAt) continue;
    const targeted = c.productIds.length > 0 || c.categoryIds.length > 0;
    if (
      targeted &&
      !c.productIds.includes(line.productId) &&
      !line.categoryIds.some((id) => c.categoryIds.includes(id))
    )
      continue;
    if (BigInt(c.multiplierBps) > best) best = BigInt(c.multiplierBps);
  }
  return best;
}

/**
 * Points for an order.
 * @example earnPoints(program, { lines: [{ productId: 'p', categoryIds: [], paidMinor: 2550 }], … }).points // 25 at 1 point per 1.00
 */
export function earnPoints(program: LoyaltyProgram, input: EarnInput): EarnResult {
  const ix = earnIndex(program);
  const rate = BigInt(program.earn.points);
  const per = BigInt(program.earn.perAmountMinor);
  const tier = BigInt(input.tierMultiplierBps);
  let plain = 0n;
  let weighted = 0n;
  for (const line of input.lines) {
    if (line.paidMinor <= 0) continue;
    const paid = BigInt(line.paidMinor);
    plain += paid;
    weighted += paid * lineMultiplier(ix, line) * campaignMultiplier(program, line, input.at) * tier;
  }
  const basePoints = Number((plain * rate) / per);
  const multiplied = Number((weighted * rate) / (per * ONE * ONE * ONE));
  let orderBonusPoints = 0;
  for (const b of program.orderBonuses)
    if (input.orderTotalMinor >= b.minTotalMinor && b.points > orderBonusPoints) orderBonusPoints = b.points;
  const firstOrderPoints = input.isFirstOrder ? program.bonuses.firstOrder : 0;
  const promotionPoints = Math.max(0, input.promotionPoints);
  return {
    points: multiplied + orderBonusPoints + firstOrderPoints + promotionPoints,
    basePoints,
    multiplierPoints: multiplied - basePoints,
    orderBonusPoints,
    firstOrderPoints,
    promotionPoints,
  };
}

/** When points earned at `at` become spendable, and when they lapse, under the program. */
export function lotWindow(
  program: LoyaltyProgram,
  at: EpochMs,
  pending: boolean,
): { availableAt: EpochMs; expiresAt: EpochMs | null } {
  const availableAt = pending ? at + program.pendingDays * DAY_MS : at;
  return {
    availableAt,
    expiresAt: program.expiryDays === null ? null : availableAt + program.expiryDays * DAY_MS,
  };
}

/** The ledger operation that books an order's points, keyed `earn:<orderId>`: pending through the return window. */
export function earnOperation(
  program: LoyaltyProgram,
  orderId: string,
  points: number,
  placedAt: EpochMs,
): LedgerOperation {
  return {
    type: 'earn',
    key: `earn:${orderId}`,
    orderId,
    points,
    at: placedAt,
    ...lotWindow(program, placedAt, true),
    reason: 'Points for an order',
  };
}

/** The ledger operation for a refund of an order, keyed `refund:<refundId>`. */
export function refundOperation(refund: {
  orderId: string;
  refundId: string;
  orderTotalMinor: number;
  refundedTotalMinor: number;
  at: EpochMs;
}): LedgerOperation {
  return { type: 'refund', key: `refund:${refund.refundId}`, ...refund };
}

const BONUS_REASONS: Record<BonusRule, string> = {
  birthday: 'Birthday bonus',
  referral: 'Referral bonus',
  survey: 'Thanks for answering the survey',
  signup: 'Welcome bonus',
  campaign: 'Campaign bonus',
};

/**
 * A bonus outside an order (birthday, survey, signup, referral), keyed `bonus:<rule>:<ref>` so one
 * ref (a year, a survey id, a referral id) pays once; available at once. Null when the program pays nothing.
 */
export function bonusOperation(
  program: LoyaltyProgram,
  rule: BonusRule,
  ref: string,
  points: number,
  at: EpochMs,
): LedgerOperation | null {
  if (points <= 0) return null;
  return {
    type: 'bonus',
    key: `bonus:${rule}:${ref}`,
    rule,
    ref,
    points,
    at,
    ...lotWindow(program, at, false),
    reason: BONUS_REASONS[rule],
  };
}

/**
 * The birthday bonus when `now` is the customer's birthday in the store's offset (29 February
 * counts on the 28th in other years), keyed by year so a daily job pays it once.
 */
export function birthdayBonusOperation(
  program: LoyaltyProgram,
  birthday: MonthDay | null,
  now: EpochMs,
  utcOffsetMinutes: number,
): LedgerOperation | null {
  if (birthday === null || daysFromMonthDay(now, birthday, utcOffsetMinutes) !== 0) return null;
  const year = new Date(now + utcOffsetMinutes * 60_000).getUTCFullYear();
  return bonusOperation(program, 'birthday', String(year), program.bonuses.birthday, now);
}
