/**
 * Points for an order that arrives through ingestion (API, batch, file import) rather than
 * checkout: which orders earn, what each line paid, and the ledger operations for earning and
 * for taking points back when the order is refunded or cancelled. Pure: the caller reads the
 * orders and passes `now`.
 */
import { prorate } from '../kernel/money.ts';
import { earnOperation, earnPoints, lotWindow, refundOperation } from './earn-rules.ts';
import type { LoyaltyProgram } from './program.ts';
import type { EpochMs, LedgerOperation } from './types.ts';

/** Order statuses that earn: paid for and not taken back in full. */
export const EARNING_STATUSES: readonly string[] = ['paid', 'fulfilled', 'partially_refunded'];
/** Order statuses whose points are taken back in full. */
export const VOID_STATUSES: readonly string[] = ['cancelled', 'refunded'];

/** An ingested order line: what it cost after its own discount. */
export interface IngestedLine {
  /** The store's product id (external id), else the SKU: how promotions and multipliers name products. */
  productId: string;
  categoryIds: readonly string[];
  /** Quantity × unit price less the line's own discount. */
  totalMinor: number;
  /** The line's own discount. */
  discountMinor: number;
}

/** An ingested order of a known customer, as the earn rules need it. */
export interface IngestedOrder {
  /** The store's order id: the ledger knows orders by it (`earn:<external id>`), as checkout does. */
  externalId: string;
  customerId: string;
  placedAt: EpochMs;
  status: string;
  /** ISO currency of its amounts: only orders in the program's currency earn. */
  currency: string;
  lines: readonly IngestedLine[];
  /** The order's whole discount (lines' own discounts included). */
  discountMinor: number;
  /** No earlier order of the customer (cancelled ones aside). */
  isFirstOrder: boolean;
  /** The customer's stored tier's earn multiplier. */
  tierMultiplierBps: number;
}

/**
 * What each line paid: its total less its share of the order-level discount (the part of the
 * order's discount its lines do not carry), split by largest remainder so the parts add up.
 * @example linesPaid({ lines: [{ totalMinor: 600, discountMinor: 0 }, { totalMinor: 400, discountMinor: 0 }], discountMinor: 100 }) // [540, 360]
 */
export function linesPaid(order: {
  lines: ReadonlyArray<Pick<IngestedLine, 'totalMinor' | 'discountMinor'>>;
  discountMinor: number;
}): number[] {
  const totals = order.lines.map((l) => Math.max(0, l.totalMinor));
  let sum = 0;
  let lineDiscounts = 0;
  for (const [i, l] of order.lines.entries()) {
    sum += totals[i];
    lineDiscounts += Math.max(0, l.discountMinor);
  }
  const extra = Math.min(sum, Math.max(0, order.discountMinor - lineDiscounts));
  if (extra === 0) return totals;
  const shares = prorate(extra, totals);
  return totals.map((t, i) => t - shares[i]);
}

/**
 * The earn operation for an ingested order (keyed `earn:<external id>`, the key checkout's commit
 * uses, so an order committed at checkout and imported later earns once), or null when it earns
 * nothing: not paid, no points, or points that would have lapsed already by `now` (a history
 * import does not flood the ledger with dead lots).
 */
export function ingestedEarnOperation(
  program: LoyaltyProgram,
  order: IngestedOrder,
  now: EpochMs,
): LedgerOperation | null {
  if (!EARNING_STATUSES.includes(order.status)) return null;
  // Points are per unit of the program's currency: 10,000 yen are not 100 euros.
  if (order.currency !== program.currency) return null;
  const { expiresAt } = lotWindow(program, order.placedAt, true);
  if (expiresAt !== null && expiresAt <= now) return null;
  const paid = linesPaid(order);
  const earned = earnPoints(program, {
    lines: order.lines.map((l, i) => ({
      productId: l.productId,
      categoryIds: l.categoryIds,
      paidMinor: paid[i],
    })),
    orderTotalMinor: paid.reduce((a, p) => a + p, 0),
    isFirstOrder: order.isFirstOrder,
    tierMultiplierBps: order.tierMultiplierBps,
    promotionPoints: 0,
    at: order.placedAt,
  });
  if (earned.points <= 0) return null;
  return earnOperation(program, order.externalId, earned.points, order.placedAt);
}

/** An order whose points a refund or cancellation may take back. */
export interface OrderRefundState {
  externalId: string;
  status: string;
  totalMinor: number;
  shippingMinor: number;
  refundedMinor: number;
}

/**
 * The refund operation for an order's current refunded total: cumulative, so the ledger takes
 * back exactly the refunded share of what the order earned and returns that share of the points
 * it spent. Points are earned on goods, so the share is of the total less shipping (tax follows
 * the goods): refunding every item but not the shipping takes back every point, and money
 * refunded beyond the goods (the shipping) takes back nothing more. The order keeps one refunded
 * total, so a refund of the shipping alone counts as goods until the goods are all refunded. Keyed
 * by the refunded goods (`refund:<order>@<minor>`): the same state twice applies once, a further
 * refund applies the difference. A cancelled or fully refunded order counts as refunded in full. Null when nothing
 * is refunded.
 */
export function ingestedRefundOperation(order: OrderRefundState, now: EpochMs): LedgerOperation | null {
  const whole = VOID_STATUSES.includes(order.status);
  const total = Math.max(order.totalMinor, 0);
  const goods = Math.max(total - Math.max(order.shippingMinor, 0), 0);
  // An order whose goods points paid in full: what was paid (the shipping) is the measure.
  const base = goods > 0 ? goods : total;
  const refunded = whole ? Math.max(base, 1) : Math.min(order.refundedMinor, base);
  if (refunded <= 0) return null;
  const orderTotalMinor = whole ? refunded : base;
  const tag = whole ? 'void' : String(refunded);
  const op = refundOperation({
    orderId: order.externalId,
    refundId: `${order.externalId}@${tag}`,
    orderTotalMinor,
    refundedTotalMinor: refunded,
    at: now,
  });
  return op;
}
