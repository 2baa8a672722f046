/**
 * The points ledger's pure core: fold append-only entries into lots and balances, and plan each
 * operation (earn, bonus, redeem, refund, expire, adjust) as the entries to append plus the lot
 * changes a repository applies atomically. Nothing here reads a clock or a database.
 *
 * Invariants (property-tested): every lot's remaining is ≥ 0, so the balance (the sum of all
 * entries, which equals the sum of lots' remaining) never goes negative; spending takes the
 * lots that expire first (the oldest, as every lot lives the same number of days); an operation
 * key written once is never written again.
 */
import { ComebackError } from '../kernel/errors.ts';
import { DAY_MS } from '../kernel/time.ts';
import type {
  Allocation,
  CreditEntry,
  DebitEntry,
  EpochMs,
  LedgerDecision,
  LedgerEntry,
  LedgerOperation,
  LedgerSource,
  LedgerState,
  Lot,
  LotChange,
  LoyaltyEvent,
  OrderPoints,
} from './types.ts';

/** An empty ledger for a customer. */
export function emptyLedger(customerId: string): LedgerState {
  return { customerId, lots: [], balance: 0, operations: new Set(), orders: new Map() };
}

/** Folds a customer's entries (in the order written) into lots, balance and per-order sums. */
export function ledgerFromEntries(customerId: string, entries: readonly LedgerEntry[]): LedgerState {
  const state = emptyLedger(customerId);
  const byKey = new Map<string, Lot>();
  for (const e of entries) fold(state, byKey, e);
  return state;
}

/**
 * A state to plan earning and redeeming on, from the lots a redemption may spend at the
 * operation's time (lots with points left that are pending or lapsed may be left out: those
 * plans never take them) and the operation keys already written for the order at hand: those
 * plans read nothing else (`planLedgerOperation`'s earn, bonus and redeem), so a checkout need not
 * read a long history. Refunds and expiry read per-order sums and every lot: they take
 * `ledgerFromEntries`.
 */
export function ledgerForSpending(
  customerId: string,
  liveLots: readonly Lot[],
  writtenOperations: Iterable<string>,
): LedgerState {
  const lots = liveLots.map((l) => ({ ...l }));
  let balance = 0;
  for (const l of lots) balance += l.remaining;
  return { customerId, lots, balance, operations: new Set(writtenOperations), orders: new Map() };
}

/** The state after appending entries (a copy; the input is left as it was). */
export function appendEntries(state: LedgerState, entries: readonly LedgerEntry[]): LedgerState {
  const next: LedgerState = {
    customerId: state.customerId,
    lots: state.lots.map((l) => ({ ...l })),
    balance: state.balance,
    operations: new Set(state.operations),
    orders: new Map(
      [...state.orders].map(([k, v]) => [k, { ...v, earnLots: [...v.earnLots], spent: [...v.spent] }]),
    ),
  };
  const byKey = new Map(next.lots.map((l) => [l.key, l]));
  for (const e of entries) fold(next, byKey, e);
  return next;
}

/** The state after a decision: the entries of an `append`, or the same state. */
export function applyDecision(state: LedgerState, decision: LedgerDecision): LedgerState {
  return decision.type === 'append' ? appendEntries(state, decision.entries) : state;
}

function orderPoints(state: LedgerState, orderId: string): OrderPoints {
  let o = state.orders.get(orderId);
  if (!o) {
    o = {
      earned: 0,
      earnLots: [],
      lapsed: 0,
      lapseForgiven: 0,
      reversed: 0,
      redeemed: 0,
      spent: [],
      returned: 0,
    };
    state.orders.set(orderId, o);
  }
  return o;
}

function fold(state: LedgerState, byKey: Map<string, Lot>, e: LedgerEntry): void {
  state.operations.add(e.operationKey);
  state.balance += e.points;
  if (isCredit(e)) {
    const lot = lotOf(e);
    state.lots.push(lot);
    byKey.set(lot.key, lot);
    if (e.orderId !== null && e.kind === 'earn') {
      const o = orderPoints(state, e.orderId);
      o.earned += e.points;
      o.earnLots.push(e.key);
    }
    if (e.orderId !== null && e.kind === 'return_redeemed')
      orderPoints(state, e.orderId).returned += e.points;
    return;
  }
  for (const a of e.allocations) {
    const lot = byKey.get(a.lot);
    if (!lot) continue;
    lot.remaining -= a.points;
    if (e.kind === 'expire' && lot.kind === 'earn' && lot.orderId !== null)
      orderPoints(state, lot.orderId).lapsed += a.points;
  }
  if (e.orderId !== null && e.kind === 'redeem') {
    const o = orderPoints(state, e.orderId);
    o.redeemed -= e.points;
    for (const a of e.allocations) o.spent.push({ ...a });
  }
  if (e.orderId !== null && e.kind === 'reverse_earn') {
    const o = orderPoints(state, e.orderId);
    o.reversed += e.uncollected - e.points;
    // A reversal written before `lapsed` was recorded counted lapsed points in `uncollected`.
    o.lapseForgiven += e.lapsed ?? Math.min(e.uncollected, o.lapsed - o.lapseForgiven);
  }
}

/** Whether an entry adds points (and so opens a lot). */
export function isCredit(e: LedgerEntry): e is CreditEntry {
  return (
    e.kind === 'earn' || e.kind === 'bonus' || e.kind === 'return_redeemed' || e.kind === 'adjust_credit'
  );
}

/** Whether a lot's points can be spent at `now`: past its return window and not expired. */
export function isSpendable(lot: Lot, now: EpochMs): boolean {
  return lot.remaining > 0 && lot.availableAt <= now && !lapsedAt(lot.expiresAt, now);
}

/** The spending order: the lot that expires first, then the oldest, then by key. */
function spendOrder(a: Lot, b: Lot): number {
  const ea = a.expiresAt ?? Number.POSITIVE_INFINITY;
  const eb = b.expiresAt ?? Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea < eb ? -1 : 1;
  if (a.at !== b.at) return a.at - b.at;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** A customer's points at `now`: spendable, pending (in the return window), expired but not yet written off. */
export interface LedgerBalance {
  balance: number;
  available: number;
  pending: number;
  expiredUnprocessed: number;
  /** The soonest lapse of available points, if any. */
  nextExpiry: { points: number; expiresAt: EpochMs } | null;
}

/** Whether points with this expiry have lapsed at `t` (null: they never do). */
function lapsedAt(expiresAt: EpochMs | null, t: EpochMs): boolean {
  return expiresAt !== null && expiresAt <= t;
}

/** Splits the balance into available, pending and lapsed points at `now`. */
export function ledgerBalance(state: LedgerState, now: EpochMs): LedgerBalance {
  let available = 0;
  let pending = 0;
  let expired = 0;
  let next: { points: number; expiresAt: EpochMs } | null = null;
  for (const lot of state.lots) {
    if (lot.remaining <= 0) continue;
    if (lapsedAt(lot.expiresAt, now)) expired += lot.remaining;
    else if (lot.availableAt > now) pending += lot.remaining;
    else {
      available += lot.remaining;
      if (lot.expiresAt !== null) {
        if (next === null || lot.expiresAt < next.expiresAt)
          next = { points: lot.remaining, expiresAt: lot.expiresAt };
        else if (lot.expiresAt === next.expiresAt) next.points += lot.remaining;
      }
    }
  }
  return { balance: state.balance, available, pending, expiredUnprocessed: expired, nextExpiry: next };
}

/** The order a debit that is not a redemption (staff, a refund) takes lots in: spendable ones first, then the others with points left, each in spending order. */
function debitOrder(lots: readonly Lot[], at: EpochMs): Lot[] {
  const spendable = lots.filter((l) => isSpendable(l, at)).sort(spendOrder);
  const rest = lots.filter((l) => l.remaining > 0 && !isSpendable(l, at)).sort(spendOrder);
  return [...spendable, ...rest];
}

/** Takes up to `points` from `lots` in the given order; returns the allocations and lot changes. */
function take(
  lots: readonly Lot[],
  points: number,
  allocations: Allocation[],
  changes: Map<string, LotChange>,
): number {
  let left = points;
  for (const lot of lots) {
    if (left === 0) break;
    const before = changes.get(lot.key)?.after ?? lot.remaining;
    if (before <= 0) continue;
    const n = Math.min(before, left);
    allocations.push({ lot: lot.key, points: n });
    const change = changes.get(lot.key);
    if (change) change.after -= n;
    else changes.set(lot.key, { lot: lot.key, before, after: before - n });
    left -= n;
  }
  return points - left;
}

function validPoints(points: number): boolean {
  return Number.isSafeInteger(points) && points > 0;
}

/**
 * Plans one operation against the current state: the entries to append and the lot changes to
 * apply, or why not. Pure and deterministic; the same operation key twice is a `duplicate`.
 */
export function planLedgerOperation(state: LedgerState, op: LedgerOperation): LedgerDecision {
  if (op.type === 'expire') return planExpiry(state, op.at);
  if (state.operations.has(op.key)) return { type: 'duplicate', operationKey: op.key };
  const customerId = state.customerId;
  switch (op.type) {
    case 'earn':
    case 'bonus': {
      if (op.points === 0) return { type: 'noop' };
      if (!validPoints(op.points))
        return { type: 'rejected', rejection: { reason: 'invalid_points', points: op.points } };
      const orderId = op.type === 'earn' ? op.orderId : null;
      const entry: CreditEntry = {
        key: op.key,
        operationKey: op.key,
        customerId,
        kind: op.type,
        points: op.points,
        at: op.at,
        reason: op.reason,
        source:
          op.type === 'earn'
            ? { type: 'order', orderId: op.orderId }
            : { type: 'rule', rule: op.rule, ref: op.ref },
        orderId,
        availableAt: op.availableAt,
        expiresAt: op.expiresAt,
      };
      const event: LoyaltyEvent = {
        type: 'points_earned',
        key: `points_earned:${customerId}:${op.key}`,
        customerId,
        at: op.at,
        points: op.points,
        availableAt: op.availableAt,
        expiresAt: op.expiresAt,
        orderId,
      };
      return { type: 'append', entries: [entry], lotChanges: [], events: [event] };
    }
    case 'redeem': {
      if (!validPoints(op.points))
        return { type: 'rejected', rejection: { reason: 'invalid_points', points: op.points } };
      const spendable = state.lots.filter((l) => isSpendable(l, op.at)).sort(spendOrder);
      let available = 0;
      for (const l of spendable) available += l.remaining;
      if (available < op.points)
        return {
          type: 'rejected',
          rejection: { reason: 'insufficient_points', requested: op.points, available },
        };
      const allocations: Allocation[] = [];
      const changes = new Map<string, LotChange>();
      take(spendable, op.points, allocations, changes);
      const entry: DebitEntry = {
        key: op.key,
        operationKey: op.key,
        customerId,
        kind: 'redeem',
        points: -op.points,
        at: op.at,
        reason: 'Redeemed at checkout',
        source: { type: 'order', orderId: op.orderId },
        orderId: op.orderId,
        allocations,
        uncollected: 0,
      };
      return { type: 'append', entries: [entry], lotChanges: [...changes.values()], events: [] };
    }
    case 'refund':
      return planRefund(state, op);
    case 'adjust': {
      if (op.reason.trim() === '') return { type: 'rejected', rejection: { reason: 'reason_required' } };
      if (op.points === 0 || !Number.isSafeInteger(op.points))
        return { type: 'rejected', rejection: { reason: 'invalid_points', points: op.points } };
      const source = { type: 'staff', userId: op.staffUserId } as const;
      if (op.points > 0) {
        const entry: CreditEntry = {
          key: op.key,
          operationKey: op.key,
          customerId,
          kind: 'adjust_credit',
          points: op.points,
          at: op.at,
          reason: op.reason,
          source,
          orderId: null,
          availableAt: op.at,
          expiresAt: op.expiresAt,
        };
        return { type: 'append', entries: [entry], lotChanges: [], events: [] };
      }
      const wanted = -op.points;
      if (state.balance < wanted)
        return {
          type: 'rejected',
          rejection: { reason: 'insufficient_points', requested: wanted, available: state.balance },
        };
      const allocations: Allocation[] = [];
      const changes = new Map<string, LotChange>();
      take(debitOrder(state.lots, op.at), wanted, allocations, changes);
      const entry: DebitEntry = {
        key: op.key,
        operationKey: op.key,
        customerId,
        kind: 'adjust_debit',
        points: op.points,
        at: op.at,
        reason: op.reason,
        source,
        orderId: null,
        allocations,
        uncollected: 0,
      };
      return { type: 'append', entries: [entry], lotChanges: [...changes.values()], events: [] };
    }
  }
}

/** floor(points × refunded / total) with the refunded part capped at the total: cumulative, so exact at 100 %. */
function refundShare(points: number, refundedMinor: number, totalMinor: number): number {
  if (points <= 0 || refundedMinor <= 0) return 0;
  if (totalMinor <= 0 || refundedMinor >= totalMinor) return points;
  return Number((BigInt(points) * BigInt(refundedMinor)) / BigInt(totalMinor));
}

function planRefund(state: LedgerState, op: Extract<LedgerOperation, { type: 'refund' }>): LedgerDecision {
  const o = state.orders.get(op.orderId);
  if (!o) return { type: 'noop' };
  const changes = new Map<string, LotChange>();
  const source = { type: 'refund', orderId: op.orderId, refundId: op.refundId } as const;
  const returns = returnSpent(state, o, op, source);
  const entries: LedgerEntry[] = [...returns];

  const toReverse = refundShare(o.earned, op.refundedTotalMinor, op.orderTotalMinor) - o.reversed;
  if (toReverse > 0) {
    // First what is left of the order's own lots. Its points that lapsed are not taken again: the
    // customer had no use of them. The rest was spent, so it comes out of the points this refund
    // returns, then the customer's other live points (spendable, then pending); only what the
    // balance cannot cover is written off as uncollected.
    const own = new Set(o.earnLots);
    const allocations: Allocation[] = [];
    const fromOwn = take(
      state.lots.filter((l) => own.has(l.key)),
      toReverse,
      allocations,
      changes,
    );
    const lapsed = Math.min(toReverse - fromOwn, o.lapsed - o.lapseForgiven);
    // Live lots only: returned points that come back lapsed are not there to take.
    const live = (l: Lot) => !lapsedAt(l.expiresAt, op.at);
    const others = state.lots.filter((l) => !own.has(l.key) && live(l));
    const fromOthers = take(
      [...returns.map(lotOf).filter(live), ...debitOrder(others, op.at)],
      toReverse - fromOwn - lapsed,
      allocations,
      changes,
    );
    const taken = fromOwn + fromOthers;
    const entry: DebitEntry = {
      key: `${op.key}:reverse`,
      operationKey: op.key,
      customerId: state.customerId,
      kind: 'reverse_earn',
      points: -taken,
      at: op.at,
      reason: reverseReason(fromOwn, fromOthers, lapsed, toReverse),
      source,
      orderId: op.orderId,
      allocations,
      uncollected: toReverse - taken,
      lapsed,
    };
    entries.push(entry);
  }
  if (entries.length === 0) return { type: 'noop' };
  return { type: 'append', entries, lotChanges: [...changes.values()], events: [] };
}

function reverseReason(fromOwn: number, fromOthers: number, lapsed: number, toReverse: number): string {
  const base = 'Points of a refunded order reversed';
  const why: string[] = [];
  if (lapsed > 0) why.push(`${lapsed} had lapsed`);
  if (fromOthers > 0) why.push(`${fromOthers} spent already, taken from other points`);
  const short = toReverse - fromOwn - fromOthers - lapsed;
  if (short > 0) why.push(`${short} the balance could not cover`);
  return why.length === 0 ? base : `${base} (${why.join('; ')})`;
}

/**
 * The refunded share of the points an order spent, given back as credits that keep the lifetime
 * of the lots they were spent from (refunding must not extend points about to lapse; points
 * whose lot lapsed meanwhile come back lapsed). Cumulative over refunds: the points spent last
 * come back first, skipping those returned already. One credit per lifetime.
 */
function returnSpent(
  state: LedgerState,
  o: OrderPoints,
  op: Extract<LedgerOperation, { type: 'refund' }>,
  source: LedgerSource,
): CreditEntry[] {
  let left = refundShare(o.redeemed, op.refundedTotalMinor, op.orderTotalMinor) - o.returned;
  if (left <= 0) return [];
  const expiryOf = new Map(state.lots.map((l) => [l.key, l.expiresAt]));
  const byExpiry = new Map<EpochMs | null, number>();
  let skip = o.returned;
  for (let i = o.spent.length - 1; i >= 0 && left > 0; i--) {
    let points = o.spent[i].points;
    const skipped = Math.min(skip, points);
    skip -= skipped;
    points = Math.min(points - skipped, left);
    if (points === 0) continue;
    left -= points;
    const expiry = expiryOf.get(o.spent[i].lot);
    // Refunds plan on every lot (ledgerFromEntries): a lot spent from is always there.
    if (expiry === undefined)
      throw new ComebackError(
        'INTERNAL',
        'A refund returns points spent from a lot the ledger does not hold',
        [{ path: 'lot', message: o.spent[i].lot }],
      );
    const expiresAt = expiry === null ? null : Math.max(expiry, op.at);
    byExpiry.set(expiresAt, (byExpiry.get(expiresAt) ?? 0) + points);
  }
  return [...byExpiry].map(([expiresAt, points], i) => ({
    key: i === 0 ? `${op.key}:return` : `${op.key}:return:${i + 1}`,
    operationKey: op.key,
    customerId: state.customerId,
    kind: 'return_redeemed',
    points,
    at: op.at,
    reason: lapsedAt(expiresAt, op.at)
      ? 'Points spent on a refunded order returned, lapsed: the points they were spent from have expired'
      : 'Points spent on a refunded order returned',
    source,
    orderId: op.orderId,
    availableAt: op.at,
    expiresAt,
  }));
}

/** A credit as the lot it opens. */
function lotOf(e: CreditEntry): Lot {
  return {
    key: e.key,
    orderId: e.orderId,
    kind: e.kind,
    points: e.points,
    remaining: e.points,
    at: e.at,
    availableAt: e.availableAt,
    expiresAt: e.expiresAt,
  };
}

/**
 * Writes off what is left of every lot whose expiry has come, one entry per lot keyed
 * `expire:<lot>`: running it again at the same or a later time finds nothing more to expire.
 */
export function planExpiry(state: LedgerState, now: EpochMs): LedgerDecision {
  const entries: LedgerEntry[] = [];
  const lotChanges: LotChange[] = [];
  const events: LoyaltyEvent[] = [];
  for (const lot of state.lots) {
    if (lot.remaining <= 0 || lot.expiresAt === null || lot.expiresAt > now) continue;
    const key = `expire:${lot.key}`;
    if (state.operations.has(key)) continue;
    // Points that lapsed as they were credited (returned by a refund after the lot they were spent
    // from expired, or a staff credit dated past its expiry) were never the customer's to spend:
    // writing them off is bookkeeping, not an expiry to tell them about.
    const bornLapsed = lot.expiresAt <= lot.at;
    entries.push({
      key,
      operationKey: key,
      customerId: state.customerId,
      kind: 'expire',
      points: -lot.remaining,
      at: lot.expiresAt,
      reason: !bornLapsed
        ? 'Points expired'
        : lot.kind === 'return_redeemed'
          ? 'Returned points written off: they had lapsed before the refund'
          : 'Points written off: they had expired when credited',
      source: { type: 'system' },
      orderId: null,
      allocations: [{ lot: lot.key, points: lot.remaining }],
      uncollected: 0,
    });
    lotChanges.push({ lot: lot.key, before: lot.remaining, after: 0 });
    if (bornLapsed) continue;
    events.push({
      type: 'points_expired',
      key: `points_expired:${state.customerId}:${lot.key}`,
      customerId: state.customerId,
      at: lot.expiresAt,
      points: lot.remaining,
    });
  }
  return entries.length === 0 ? { type: 'noop' } : { type: 'append', entries, lotChanges, events };
}

/**
 * "Points expiring in N days" events: spendable lots that lapse within `withinDays` of `now`, one
 * event per lot and horizon (keyed so a reminder goes out once).
 */
export function expiringPoints(state: LedgerState, now: EpochMs, withinDays: number): LoyaltyEvent[] {
  const horizon = now + withinDays * DAY_MS;
  const events: LoyaltyEvent[] = [];
  for (const lot of state.lots) {
    if (!isSpendable(lot, now) || lot.expiresAt === null || lot.expiresAt > horizon) continue;
    events.push({
      type: 'points_expiring',
      key: `points_expiring:${state.customerId}:${lot.key}:${withinDays}`,
      customerId: state.customerId,
      at: now,
      points: lot.remaining,
      expiresAt: lot.expiresAt,
      withinDays,
    });
  }
  return events;
}
