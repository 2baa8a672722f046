/**
 * The loyalty ledger's data: append-only entries, the lots they open and consume, the operations
 * that write them and the events they raise. Times are UTC epoch milliseconds (`EpochMs`).
 */

/** UTC epoch milliseconds, the one time unit of the pure core. */
export type EpochMs = number;

/** Bonus rules that credit points outside an order's own earn. */
export type BonusRule = 'birthday' | 'referral' | 'survey' | 'signup' | 'campaign';

/** Where an entry comes from: an order, a refund, a rule, a staff user, or the system (expiry). */
export type LedgerSource =
  | { type: 'order'; orderId: string }
  | { type: 'refund'; orderId: string; refundId: string }
  | { type: 'rule'; rule: BonusRule; ref: string | null }
  | { type: 'staff'; userId: string }
  | { type: 'system' };

/** Kinds that add points and open a lot. */
export type CreditKind = 'earn' | 'bonus' | 'return_redeemed' | 'adjust_credit';
/** Kinds that take points out of lots. */
export type DebitKind = 'redeem' | 'reverse_earn' | 'expire' | 'adjust_debit';

interface EntryBase {
  /** Unique per customer: the database's idempotency key for this entry. */
  key: string;
  /** The operation that wrote the entry; one operation may write several entries. */
  operationKey: string;
  customerId: string;
  at: EpochMs;
  /** Why, in words a shop owner reads (staff adjustments must give one). */
  reason: string;
  source: LedgerSource;
  /** The order the points belong to, when any (earn, redeem and their refunds). */
  orderId: string | null;
}

/** Adds `points` > 0 as a new lot: pending until `availableAt`, gone at `expiresAt` (null: never). */
export interface CreditEntry extends EntryBase {
  kind: CreditKind;
  points: number;
  availableAt: EpochMs;
  expiresAt: EpochMs | null;
}

/** One lot's share of a debit. */
export interface Allocation {
  lot: string;
  points: number;
}

/** Takes `-points` (points < 0) out of the lots named in `allocations`, which sum to `-points`. */
export interface DebitEntry extends EntryBase {
  kind: DebitKind;
  points: number;
  allocations: Allocation[];
  /** For reversals: points not taken back, because they had lapsed or the balance could not cover them. */
  uncollected: number;
  /** For reversals: the part of `uncollected` that had lapsed (expired) before the refund (absent: 0). */
  lapsed?: number;
}

/** Every change of a balance. Entries are never updated or deleted. */
export type LedgerEntry = CreditEntry | DebitEntry;

/** A credit entry seen as a lot: what is left of it is its points less the debits allocated to it. */
export interface Lot {
  /** The key of the credit entry that opened it. */
  key: string;
  orderId: string | null;
  kind: CreditKind;
  points: number;
  remaining: number;
  at: EpochMs;
  availableAt: EpochMs;
  expiresAt: EpochMs | null;
}

/** Per order: what it earned and redeemed, and how much of each refunds already took back. */
export interface OrderPoints {
  earned: number;
  earnLots: string[];
  /** Points of its earn lots written off by expiry. */
  lapsed: number;
  /** Of `reversed`, the lapsed points a reversal counted as taken back already. */
  lapseForgiven: number;
  reversed: number;
  redeemed: number;
  /** The lots its redemptions drew from, in spending order: returned points keep their lifetime. */
  spent: Allocation[];
  returned: number;
}

/**
 * One customer's ledger folded into what the planners need. A repository can build it from
 * entries (`ledgerFromEntries`) or from a lots table plus per-order sums.
 */
export interface LedgerState {
  customerId: string;
  /** Lots in opening order (`at`, then key). Remaining may be 0. */
  lots: Lot[];
  /** Sum of all entries' points; equals the sum of lots' remaining, never below 0. */
  balance: number;
  operations: Set<string>;
  orders: Map<string, OrderPoints>;
}

/** What the caller asks the ledger to do; `key` makes it idempotent. */
export type LedgerOperation =
  | {
      type: 'earn';
      key: string;
      orderId: string;
      points: number;
      at: EpochMs;
      availableAt: EpochMs;
      expiresAt: EpochMs | null;
      reason: string;
    }
  | {
      type: 'bonus';
      key: string;
      rule: BonusRule;
      ref: string | null;
      points: number;
      at: EpochMs;
      availableAt: EpochMs;
      expiresAt: EpochMs | null;
      reason: string;
    }
  | { type: 'redeem'; key: string; orderId: string; points: number; at: EpochMs }
  | {
      type: 'refund';
      key: string;
      orderId: string;
      refundId: string;
      /** The order's amount the refunds are measured against (what earned points, what points paid). */
      orderTotalMinor: number;
      /** All refunds of the order so far, this one included: reversal is cumulative, so it is exact. */
      refundedTotalMinor: number;
      at: EpochMs;
    }
  | { type: 'expire'; at: EpochMs }
  | {
      type: 'adjust';
      key: string;
      points: number;
      reason: string;
      staffUserId: string;
      at: EpochMs;
      /** For a credit: when the points lapse (null: never). */
      expiresAt: EpochMs | null;
    };

/** Events for automation (flows): each has a key so a consumer acts on it once. */
export type LoyaltyEvent =
  | {
      type: 'points_earned';
      key: string;
      customerId: string;
      at: EpochMs;
      points: number;
      availableAt: EpochMs;
      expiresAt: EpochMs | null;
      orderId: string | null;
    }
  | { type: 'points_expired'; key: string; customerId: string; at: EpochMs; points: number }
  | {
      type: 'points_expiring';
      key: string;
      customerId: string;
      at: EpochMs;
      points: number;
      expiresAt: EpochMs;
      withinDays: number;
    }
  | {
      type: 'tier_changed';
      key: string;
      customerId: string;
      at: EpochMs;
      from: string | null;
      to: string | null;
      cause: 'qualified' | 'grace_ended' | 'membership_started' | 'membership_ended';
    }
  | {
      type: 'membership_renewal_due';
      key: string;
      customerId: string;
      at: EpochMs;
      tier: string;
      endsAt: EpochMs;
    }
  | {
      type: 'certificate_issued';
      key: string;
      customerId: string;
      at: EpochMs;
      orderNumber: number;
      promotionId: string;
      code: string;
      expiresAt: EpochMs | null;
    }
  | {
      type: 'referral_converted';
      key: string;
      referralId: string;
      referrerId: string;
      refereeId: string;
      at: EpochMs;
      orderId: string;
    };

/** Expected refusals of a ledger operation. */
export type LedgerRejection =
  | { reason: 'insufficient_points'; requested: number; available: number }
  | { reason: 'reason_required' }
  | { reason: 'invalid_points'; points: number };

/** A lot whose remaining changes, for a conditional update (`… WHERE remaining = before`). */
export interface LotChange {
  lot: string;
  before: number;
  after: number;
}

/**
 * A planner's answer. `append`: insert the entries and apply the lot changes atomically (retry
 * the whole plan if a conditional update finds another remaining). `duplicate`: the operation
 * was applied already. `noop`: nothing to write. `rejected`: an expected refusal.
 */
export type LedgerDecision =
  | { type: 'append'; entries: LedgerEntry[]; lotChanges: LotChange[]; events: LoyaltyEvent[] }
  | { type: 'duplicate'; operationKey: string }
  | { type: 'noop' }
  | { type: 'rejected'; rejection: LedgerRejection };
