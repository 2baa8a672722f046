/**
 * What checkout evaluation reads and returns: the cart, the customer, the codes and usage
 * counters the repository looked up, and the discounts, points and refusals it decides.
 * Money is integer minor units in the cart's currency; times are UTC epoch milliseconds.
 */
import type {
  EarnResult,
  EpochMs,
  LoyaltyProgram,
  MonthDay,
  RollingActivity,
  TierProgress,
} from '../loyalty/index.ts';
import type { Promotion } from './promotion.ts';

/** One cart line. `id` is the caller's (a line number or SKU), echoed in allocations. */
export interface CartLine {
  id: string;
  productId: string;
  sku: string | null;
  categoryIds: readonly string[];
  quantity: number;
  unitPriceMinor: number;
}

/** Who is buying, as the repository knows them. A guest has `customerId` null. */
export interface CustomerContext {
  customerId: string | null;
  tier: string | null;
  segments: readonly string[];
  /** Orders placed before this one. */
  orderCount: number;
  birthday: MonthDay | null;
  /** Times this customer has used each promotion (by promotion id). */
  promotionUses: Readonly<Record<string, number>>;
  /** Spendable loyalty points now. */
  availablePoints: number;
  /** Spend and orders over the tier window, for tier progress. */
  rolling: RollingActivity;
}

/** A promotion's counters: uses so far and money given away so far. */
export interface PromotionUsage {
  uses: number;
  spentMinor: number;
}

/**
 * A generated code as stored: single-use codes, personal codes (certificates) and gift cards.
 * Shared codes live on the promotion itself (`trigger.code`).
 */
export interface CodeRecord {
  /** Normalised (see `normalizeCode`). */
  code: string;
  promotionId: string;
  /** Bound to one customer (personal codes, certificates), or null. */
  customerId: string | null;
  /** A single-use code that has been used. */
  redeemed: boolean;
  /** A gift card's balance left; null for other codes. */
  balanceMinor: number | null;
  expiresAt: EpochMs | null;
}

/** Everything `evaluateCheckout` needs; the repository fills it, nothing else is read. */
export interface CheckoutInput {
  customer: CustomerContext;
  currency: string;
  /** web, pos, app …; null when unknown. */
  channel: string | null;
  lines: readonly CartLine[];
  shippingMinor: number;
  /** Codes as the customer typed them. */
  codes: readonly string[];
  /** Loyalty points the customer wants to use. */
  points: number;
  now: EpochMs;
  /** The store's offset from UTC for birthdays and yearly windows. */
  utcOffsetMinutes: number;
  /** Automatic promotions plus those the codes name. */
  promotions: readonly Promotion[];
  /** Counters by promotion id; a missing one counts as zero. */
  usage: Readonly<Record<string, PromotionUsage>>;
  /** The generated codes found for `codes`. */
  codeRecords: readonly CodeRecord[];
  /** The store's loyalty program, or null without one. */
  loyalty: LoyaltyProgram | null;
}

/** Which eligibility condition failed, with what it asked for: the shop shows it. */
export type NotEligible =
  | { condition: 'min_subtotal'; minSubtotalMinor: number; subtotalMinor: number }
  | { condition: 'min_quantity'; minQuantity: number; quantity: number }
  | { condition: 'customer_tier'; tiers: readonly string[] }
  | { condition: 'customer_segment'; segments: readonly string[] }
  | { condition: 'first_order' }
  | { condition: 'order_count'; min: number; max: number | null }
  | { condition: 'channel'; channels: readonly string[] }
  | { condition: 'customer' }
  | { condition: 'birthday'; daysBefore: number; daysAfter: number }
  | { condition: 'yearly_window'; from: MonthDay; to: MonthDay }
  | { condition: 'products' }
  | { condition: 'buy_quantity'; quantity: number };

/** Where a code's promotion stands next to the one it clashed with. */
export interface ClashWith {
  promotionId: string;
  name: string;
  code: string | null;
}

/** Why a code was not applied. Each has the code as typed and, when known, its promotion. */
export type CodeRejection = { code: string; promotionId: string | null; message: string } & (
  | { reason: 'unknown_code' }
  | { reason: 'duplicate_code' }
  | { reason: 'not_started'; startsAt: EpochMs }
  | { reason: 'expired'; endedAt: EpochMs }
  | { reason: 'code_used' }
  | { reason: 'usage_limit_reached'; limit: 'total' | 'per_customer'; max: number }
  | { reason: 'budget_exhausted' }
  | { reason: 'customer_required' }
  | { reason: 'currency_mismatch'; currency: string }
  | { reason: 'not_eligible'; detail: NotEligible }
  | { reason: 'not_combinable'; with: ClashWith }
  | { reason: 'class_limit'; class: string; with: ClashWith }
  | { reason: 'gift_card_empty' }
  | { reason: 'nothing_to_discount' }
);

/** The reason part of a rejection, before the code and message are attached. */
export type RejectionReason = CodeRejection extends infer R
  ? R extends { code: string; promotionId: string | null; message: string }
    ? Omit<R, 'code' | 'promotionId' | 'message'>
    : never
  : never;

/** A line's share of a discount. */
export interface LineAmount {
  lineId: string;
  amountMinor: number;
}

/** A promotion that applied, with its split over lines (the parts add up to `linesMinor`). */
export interface AppliedDiscount {
  promotionId: string;
  name: string;
  code: string | null;
  source: 'automatic' | 'code' | 'tier';
  /** Lines plus shipping. */
  amountMinor: number;
  linesMinor: number;
  lines: LineAmount[];
  shippingMinor: number;
  /** Loyalty points the promotion adds to the order's earn. */
  points: number;
  /** True when the promotion's money budget cut the discount short. */
  budgetCapped: boolean;
}

export interface LineTotal {
  lineId: string;
  subtotalMinor: number;
  discountMinor: number;
  pointsMinor: number;
  totalMinor: number;
}

export type PointsRejection =
  | { reason: 'customer_required' }
  | { reason: 'insufficient_points'; available: number }
  | { reason: 'below_minimum'; minPoints: number }
  | { reason: 'nothing_to_pay' }
  | { reason: 'no_program' }
  /** The program's points are worth money in its own currency only. */
  | { reason: 'currency_mismatch'; programCurrency: string };

export interface PointsOutcome {
  requested: number;
  redeemed: number;
  valueMinor: number;
  lines: LineAmount[];
  capped: 'balance' | 'max_points' | 'max_share' | 'order_total' | 'rate_step' | null;
  rejection: PointsRejection | null;
  /** What this order would earn (pending through the return window), or null without a program or for a guest; in another currency than the program's, only the promotions' bonus points. */
  toEarn: EarnResult | null;
}

/**
 * What to write when the order is placed, each applied atomically with a conditional update
 * (the guards are the limits the evaluation checked against): usage counters, single-use codes,
 * gift card balances, points.
 */
export type CheckoutEffect =
  | {
      type: 'record_use';
      promotionId: string;
      customerId: string | null;
      code: string | null;
      discountMinor: number;
      maxUses: number | null;
      maxUsesPerCustomer: number | null;
      budgetMinor: number | null;
    }
  | { type: 'redeem_code'; code: string; promotionId: string }
  | { type: 'debit_gift_card'; code: string; promotionId: string; amountMinor: number; balanceMinor: number }
  | { type: 'redeem_points'; customerId: string; points: number };

/** The result of `evaluateCheckout`. */
export interface CheckoutEvaluation {
  currency: string;
  subtotalMinor: number;
  lines: LineTotal[];
  discounts: AppliedDiscount[];
  shipping: { amountMinor: number; discountMinor: number; totalMinor: number; free: boolean };
  /** Promotions on lines and shipping, points excluded. */
  discountMinor: number;
  points: PointsOutcome;
  totalMinor: number;
  tierProgress: TierProgress | null;
  rejectedCodes: CodeRejection[];
  effects: CheckoutEffect[];
}
