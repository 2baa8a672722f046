import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../kernel/time.ts';
import {
  appendEntries,
  applyDecision,
  emptyLedger,
  expiringPoints,
  isSpendable,
  ledgerBalance,
  ledgerForSpending,
  ledgerFromEntries,
  planExpiry,
  planLedgerOperation,
} from './ledger.ts';
import type { LedgerEntry, LedgerOperation, LedgerState } from './types.ts';

const T0 = Date.UTC(2025, 0, 1);
const PENDING = 14 * DAY_MS;
const EXPIRY = 90 * DAY_MS;

function earn(key: string, orderId: string, points: number, at: number): LedgerOperation {
  return {
    type: 'earn',
    key,
    orderId,
    points,
    at,
    availableAt: at + PENDING,
    expiresAt: at + PENDING + EXPIRY,
    reason: 'Order',
  };
}

/** A refund of the whole order, keyed `rf`. */
function fullRefund(orderId: string, at: number): LedgerOperation {
  return {
    type: 'refund',
    key: 'rf',
    orderId,
    refundId: 'rf',
    orderTotalMinor: 100,
    refundedTotalMinor: 100,
    at,
  };
}

function run(state: LedgerState, op: LedgerOperation): [LedgerState, LedgerEntry[]] {
  const d = planLedgerOperation(state, op);
  return [applyDecision(state, d), d.type === 'append' ? d.entries : []];
}

describe('ledger examples', () => {
  it('keeps earned points pending through the return window, then makes them spendable', () => {
    const [s] = run(emptyLedger('c'), earn('earn:o1', 'o1', 100, T0));
    expect(ledgerBalance(s, T0 + DAY_MS)).toMatchObject({ balance: 100, available: 0, pending: 100 });
    expect(ledgerBalance(s, T0 + PENDING)).toMatchObject({ available: 100, pending: 0 });
    const early = planLedgerOperation(s, {
      type: 'redeem',
      key: 'r1',
      orderId: 'o2',
      points: 10,
      at: T0 + DAY_MS,
    });
    expect(early).toEqual({
      type: 'rejected',
      rejection: { reason: 'insufficient_points', requested: 10, available: 0 },
    });
  });

  it('spends the lot that expires first and names it in the allocation and the lot change', () => {
    let s = emptyLedger('c');
    [s] = run(s, earn('earn:o1', 'o1', 100, T0));
    [s] = run(s, earn('earn:o2', 'o2', 50, T0 + DAY_MS));
    const d = planLedgerOperation(s, {
      type: 'redeem',
      key: 'r',
      orderId: 'o3',
      points: 120,
      at: T0 + 20 * DAY_MS,
    });
    expect(d.type).toBe('append');
    if (d.type !== 'append') return;
    expect(d.entries[0]).toMatchObject({
      points: -120,
      allocations: [
        { lot: 'earn:o1', points: 100 },
        { lot: 'earn:o2', points: 20 },
      ],
    });
    expect(d.lotChanges).toEqual([
      { lot: 'earn:o1', before: 100, after: 0 },
      { lot: 'earn:o2', before: 50, after: 30 },
    ]);
  });

  it('reverses the refunded share of earned points and returns the share of spent points', () => {
    let s = emptyLedger('c');
    [s] = run(s, earn('earn:o1', 'o1', 200, T0));
    [s] = run(s, { type: 'redeem', key: 'redeem:o2', orderId: 'o2', points: 100, at: T0 + 20 * DAY_MS });
    [s] = run(s, earn('earn:o2', 'o2', 30, T0 + 20 * DAY_MS));
    const refund = (key: string, refunded: number): LedgerOperation => ({
      type: 'refund',
      key,
      orderId: 'o2',
      refundId: key,
      orderTotalMinor: 3000,
      refundedTotalMinor: refunded,
      at: T0 + 25 * DAY_MS,
    });
    let entries: LedgerEntry[];
    [s, entries] = run(s, refund('rf1', 1000));
    expect(entries.map((e) => [e.kind, e.points])).toEqual([
      ['return_redeemed', 33],
      ['reverse_earn', -10],
    ]);
    [s, entries] = run(s, refund('rf2', 3000));
    expect(entries.map((e) => [e.kind, e.points])).toEqual([
      ['return_redeemed', 67],
      ['reverse_earn', -20],
    ]);
    expect(s.balance).toBe(200);
    // A refund that arrives late with a smaller cumulative amount changes nothing.
    expect(planLedgerOperation(s, refund('rf0', 500)).type).toBe('noop');
  });

  it('never takes a balance below zero: a reversal of spent points is written off as uncollected', () => {
    let s = emptyLedger('c');
    [s] = run(s, earn('earn:o1', 'o1', 100, T0));
    [s] = run(s, { type: 'redeem', key: 'redeem:o9', orderId: 'o9', points: 90, at: T0 + PENDING });
    const d = planLedgerOperation(s, fullRefund('o1', T0 + PENDING + 1));
    expect(d.type === 'append' && d.entries[0]).toMatchObject({ points: -10, uncollected: 90 });
    s = applyDecision(s, d);
    expect(s.balance).toBe(0);
  });

  it("a refund after the order's points lapsed takes none of the customer's other points", () => {
    let s = emptyLedger('c');
    [s] = run(s, earn('earn:o1', 'o1', 100, T0));
    [s] = run(s, earn('earn:o2', 'o2', 50, T0 + 100 * DAY_MS));
    const lapse = T0 + PENDING + EXPIRY;
    [s] = run(s, { type: 'expire', at: lapse });
    expect(s.balance).toBe(50);
    const d = planLedgerOperation(s, fullRefund('o1', lapse + DAY_MS));
    expect(d.type === 'append' && d.entries[0]).toMatchObject({
      points: -0,
      uncollected: 100,
      lapsed: 100,
      allocations: [],
    });
    expect(d.type === 'append' && d.lotChanges).toEqual([]);
    expect(applyDecision(s, d).balance).toBe(50);
  });

  it("a refund of an order whose points were spent takes the rest from the customer's other points", () => {
    let s = emptyLedger('c');
    [s] = run(s, earn('earn:o1', 'o1', 100, T0));
    [s] = run(s, earn('earn:o2', 'o2', 80, T0 + DAY_MS));
    // Spends 60 of o1's lot (it expires first).
    [s] = run(s, { type: 'redeem', key: 'redeem:o3', orderId: 'o3', points: 60, at: T0 + 20 * DAY_MS });
    const d = planLedgerOperation(s, fullRefund('o1', T0 + 21 * DAY_MS));
    expect(d.type === 'append' && d.entries[0]).toMatchObject({
      points: -100,
      uncollected: 0,
      lapsed: 0,
      allocations: [
        { lot: 'earn:o1', points: 40 },
        { lot: 'earn:o2', points: 60 },
      ],
    });
    expect(applyDecision(s, d).balance).toBe(20);
  });

  it('a refund writes off only what neither lapsed nor the balance can cover', () => {
    let s = emptyLedger('c');
    [s] = run(s, earn('earn:o1', 'o1', 100, T0));
    [s] = run(s, earn('earn:o2', 'o2', 30, T0 + DAY_MS));
    [s] = run(s, { type: 'redeem', key: 'redeem:o3', orderId: 'o3', points: 120, at: T0 + 20 * DAY_MS });
    const d = planLedgerOperation(s, fullRefund('o1', T0 + 21 * DAY_MS));
    expect(d.type === 'append' && d.entries[0]).toMatchObject({
      points: -10,
      uncollected: 90,
      allocations: [{ lot: 'earn:o2', points: 10 }],
    });
    expect(d.type === 'append' && d.entries[0].reason).toMatch(/90 the balance could not cover/);
    expect(applyDecision(s, d).balance).toBe(0);
  });

  it('returned points keep the lifetime of the points spent, and come back lapsed when it is over', () => {
    let s = emptyLedger('c');
    [s] = run(s, earn('earn:o1', 'o1', 50, T0));
    [s] = run(s, earn('earn:o2', 'o2', 50, T0 + 30 * DAY_MS));
    const at = T0 + 50 * DAY_MS;
    [s] = run(s, { type: 'redeem', key: 'redeem:o3', orderId: 'o3', points: 80, at });
    const refund = (key: string, refunded: number, when: number): LedgerOperation => ({
      type: 'refund',
      key,
      orderId: 'o3',
      refundId: key,
      orderTotalMinor: 100,
      refundedTotalMinor: refunded,
      at: when,
    });
    // Half refunded: the 40 spent last (30 of o2's lot, then 10 of o1's) come back first.
    let entries: LedgerEntry[];
    [s, entries] = run(s, refund('rf1', 50, at + DAY_MS));
    expect(entries.map((e) => [e.key, e.points, 'expiresAt' in e && e.expiresAt])).toEqual([
      ['rf1:return', 30, T0 + 30 * DAY_MS + PENDING + EXPIRY],
      ['rf1:return:2', 10, T0 + PENDING + EXPIRY],
    ]);
    // The rest after o1's lot lapsed: its points come back lapsed, and the expiry writes them off.
    const late = T0 + PENDING + EXPIRY + DAY_MS;
    [s, entries] = run(s, refund('rf2', 100, late));
    expect(entries.map((e) => [e.points, 'expiresAt' in e && e.expiresAt])).toEqual([[40, late]]);
    expect(entries[0].reason).toMatch(/returned, lapsed/);
    expect(ledgerBalance(s, late).available).toBe(20 + 30);
    const expiry = planLedgerOperation(s, { type: 'expire', at: late });
    if (expiry.type !== 'append') throw new Error('expected an expiry');
    expect(expiry.entries.map((e) => [e.points, e.reason])).toEqual([
      [-10, 'Points expired'],
      [-40, 'Returned points written off: they had lapsed before the refund'],
    ]);
    // Only o1's 10 points expired while the customer could spend them: one event, not two.
    expect(expiry.events.map((e) => e.type === 'points_expired' && e.points)).toEqual([10]);
    s = applyDecision(s, expiry);
    expect(s.balance).toBe(50);
  });

  it('a staff credit dated past its expiry is written off without an event, as credited lapsed', () => {
    let s = emptyLedger('c');
    [s] = run(s, {
      type: 'adjust',
      key: 'late-credit',
      points: 30,
      reason: 'goodwill',
      staffUserId: 'u1',
      at: T0 + 10 * DAY_MS,
      expiresAt: T0,
    });
    const expiry = planLedgerOperation(s, { type: 'expire', at: T0 + 10 * DAY_MS });
    expect(expiry.type === 'append' && expiry.entries.map((e) => [e.points, e.reason])).toEqual([
      [-30, 'Points written off: they had expired when credited'],
    ]);
    expect(expiry.type === 'append' && expiry.events).toEqual([]);
  });

  it('a refund of points spent from a lot the ledger does not hold is an internal error, not points without expiry', () => {
    const redeem: LedgerEntry = {
      key: 'redeem:o1',
      operationKey: 'redeem:o1',
      customerId: 'c',
      kind: 'redeem',
      points: -50,
      at: T0,
      reason: 'Points redeemed',
      source: { type: 'order', orderId: 'o1' },
      orderId: 'o1',
      allocations: [{ lot: 'ghost', points: 50 }],
      uncollected: 0,
    };
    const s = ledgerFromEntries('c', [redeem]);
    expect(() => planLedgerOperation(s, fullRefund('o1', T0 + DAY_MS))).toThrow(
      /a lot the ledger does not hold/,
    );
  });

  it('a reversal does not take from returned points that come back lapsed: it takes live points', () => {
    let s = emptyLedger('c');
    [s] = run(s, earn('earn:oA', 'oA', 100, T0));
    [s] = run(s, { type: 'redeem', key: 'redeem:x', orderId: 'x', points: 100, at: T0 + 20 * DAY_MS });
    [s] = run(s, earn('earn:x', 'x', 50, T0 + 20 * DAY_MS));
    [s] = run(s, earn('earn:oB', 'oB', 500, T0 + 30 * DAY_MS));
    // x's 50 points are spent on y before oB's are available.
    [s] = run(s, { type: 'redeem', key: 'redeem:y', orderId: 'y', points: 50, at: T0 + 40 * DAY_MS });
    // Refunded after oA's lot (where x's 100 came from) lapsed.
    const at = T0 + PENDING + EXPIRY + 6 * DAY_MS;
    const d = planLedgerOperation(s, fullRefund('x', at));
    expect(d.type === 'append' && d.entries.map((e) => [e.kind, e.points])).toEqual([
      ['return_redeemed', 100],
      ['reverse_earn', -50],
    ]);
    expect(d.type === 'append' && d.entries[1]).toMatchObject({
      allocations: [{ lot: 'earn:oB', points: 50 }],
      uncollected: 0,
    });
    [s] = run(applyDecision(s, d), { type: 'expire', at });
    expect(ledgerBalance(s, at).available).toBe(450);
  });

  it('a refund that returns spent points and reverses earned ones nets them', () => {
    let s = emptyLedger('c');
    [s] = run(s, earn('earn:o1', 'o1', 100, T0));
    const at = T0 + 20 * DAY_MS;
    [s] = run(s, { type: 'redeem', key: 'redeem:o2', orderId: 'o2', points: 100, at });
    [s] = run(s, earn('earn:o2', 'o2', 30, at));
    // o2's points are spent on o3 once available.
    [s] = run(s, { type: 'redeem', key: 'redeem:o3', orderId: 'o3', points: 30, at: at + PENDING });
    const d = planLedgerOperation(s, fullRefund('o2', at + PENDING + DAY_MS));
    expect(d.type === 'append' && d.entries.map((e) => [e.kind, e.points])).toEqual([
      ['return_redeemed', 100],
      ['reverse_earn', -30],
    ]);
    expect(d.type === 'append' && d.lotChanges).toEqual([{ lot: 'rf:return', before: 100, after: 70 }]);
    expect(applyDecision(s, d).balance).toBe(70);
  });

  it('asks staff for a reason and refuses to take more than the balance', () => {
    const s = emptyLedger('c');
    const adjust = (points: number, reason: string): LedgerOperation => ({
      type: 'adjust',
      key: `adj:${points}`,
      points,
      reason,
      staffUserId: 'u1',
      at: T0,
      expiresAt: null,
    });
    expect(planLedgerOperation(s, adjust(10, '  '))).toEqual({
      type: 'rejected',
      rejection: { reason: 'reason_required' },
    });
    expect(planLedgerOperation(s, adjust(-10, 'typo'))).toMatchObject({
      type: 'rejected',
      rejection: { reason: 'insufficient_points' },
    });
    const d = planLedgerOperation(s, adjust(25, 'goodwill'));
    expect(d.type === 'append' && d.entries[0]).toMatchObject({
      kind: 'adjust_credit',
      points: 25,
      source: { type: 'staff', userId: 'u1' },
    });
  });

  it('raises points-earned, points-expiring and points-expired events with once-only keys', () => {
    const d = planLedgerOperation(emptyLedger('c'), earn('earn:o1', 'o1', 40, T0));
    expect(d.type === 'append' && d.events[0]).toMatchObject({ type: 'points_earned', points: 40 });
    const s = applyDecision(emptyLedger('c'), d);
    const expiresAt = T0 + PENDING + EXPIRY;
    expect(expiringPoints(s, expiresAt - 7 * DAY_MS, 7)).toEqual([
      {
        type: 'points_expiring',
        key: 'points_expiring:c:earn:o1:7',
        customerId: 'c',
        at: expiresAt - 7 * DAY_MS,
        points: 40,
        expiresAt,
        withinDays: 7,
      },
    ]);
    expect(expiringPoints(s, expiresAt - 8 * DAY_MS, 7)).toEqual([]);
    const x = planExpiry(s, expiresAt);
    expect(x.type === 'append' && x.events[0]).toMatchObject({ type: 'points_expired', points: 40 });
  });
});

describe('FIFO expiry', () => {
  it('expires exactly the unused part of the oldest lots', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        (lots, spendSeed, cutSeed) => {
          let s = emptyLedger('c');
          // Lot i is earned on day i, so it expires on day i + 104.
          lots.forEach((p, i) => {
            [s] = run(s, earn(`e${i}`, `o${i}`, p, T0 + i * DAY_MS));
          });
          const total = lots.reduce((a, b) => a + b, 0);
          const spend = spendSeed % (total + 1);
          const spendAt = T0 + (lots.length + PENDING / DAY_MS) * DAY_MS;
          if (spend > 0) [s] = run(s, { type: 'redeem', key: 'r', orderId: 'x', points: spend, at: spendAt });
          const cut = cutSeed % (lots.length + 1); // lots 0 … cut-1 have expired
          const now = T0 + PENDING + EXPIRY + (cut - 1) * DAY_MS + DAY_MS / 2;
          const d = planExpiry(s, Math.max(now, spendAt));
          const expired = d.type === 'append' ? -d.entries.reduce((a, e) => a + e.points, 0) : 0;
          const oldest = lots.slice(0, cut).reduce((a, b) => a + b, 0);
          expect(expired).toBe(Math.max(0, oldest - spend));
          const after = applyDecision(s, d);
          expect(after.balance).toBe(total - spend - expired);
          // Running the expiry again at the same time changes nothing.
          expect(planExpiry(after, Math.max(now, spendAt))).toEqual({ type: 'noop' });
        },
      ),
    );
  });
});

/** The simple model: a list of lots, spent by expiry order, checked against the real ledger. */
interface ModelLot {
  key: string;
  order: string | null;
  /** An order's earned points (not returned ones). */
  earned: boolean;
  remaining: number;
  at: number;
  availableAt: number;
  expiresAt: number | null;
}

class Model {
  lots: ModelLot[] = [];
  earned = new Map<string, number>();
  redeemed = new Map<string, number>();
  reversed = new Map<string, number>();
  returned = new Map<string, number>();
  lapsed = new Map<string, number>();
  forgiven = new Map<string, number>();
  /** Per order, the lots its redemptions drew from with how much, in spending order. */
  spent = new Map<string, { lot: ModelLot; points: number }[]>();
  seen = new Set<string>();
  balance(): number {
    return this.lots.reduce((a, l) => a + l.remaining, 0);
  }
  spendable(now: number): ModelLot[] {
    return this.lots
      .filter((l) => l.remaining > 0 && l.availableAt <= now && (l.expiresAt === null || l.expiresAt > now))
      .sort(
        (a, b) =>
          (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.at - b.at || (a.key < b.key ? -1 : 1),
      );
  }
  available(now: number): number {
    return this.spendable(now).reduce((a, l) => a + l.remaining, 0);
  }
  takeFrom(lots: ModelLot[], n: number, record?: { lot: ModelLot; points: number }[]): number {
    let left = n;
    for (const l of lots) {
      const k = Math.min(l.remaining, left);
      if (k > 0) record?.push({ lot: l, points: k });
      l.remaining -= k;
      left -= k;
    }
    return n - left;
  }
  add(m: Map<string, number>, key: string, n: number): void {
    m.set(key, (m.get(key) ?? 0) + n);
  }
  apply(op: LedgerOperation): void {
    if (op.type === 'expire') {
      for (const l of this.lots)
        if (l.expiresAt !== null && l.expiresAt <= op.at) {
          if (l.earned && l.order !== null) this.add(this.lapsed, l.order, l.remaining);
          l.remaining = 0;
        }
      return;
    }
    if (this.seen.has(op.key)) return;
    if (op.type === 'earn') {
      this.seen.add(op.key);
      this.lots.push({
        key: op.key,
        order: op.orderId,
        earned: true,
        remaining: op.points,
        at: op.at,
        availableAt: op.availableAt,
        expiresAt: op.expiresAt,
      });
      this.earned.set(op.orderId, (this.earned.get(op.orderId) ?? 0) + op.points);
    } else if (op.type === 'redeem') {
      if (this.available(op.at) < op.points) return;
      this.seen.add(op.key);
      const record: { lot: ModelLot; points: number }[] = [];
      this.takeFrom(this.spendable(op.at), op.points, record);
      this.spent.set(op.orderId, [...(this.spent.get(op.orderId) ?? []), ...record]);
      this.redeemed.set(op.orderId, (this.redeemed.get(op.orderId) ?? 0) + op.points);
    } else if (op.type === 'adjust') {
      if (op.points > 0) {
        this.seen.add(op.key);
        this.lots.push({
          key: op.key,
          order: null,
          earned: false,
          remaining: op.points,
          at: op.at,
          availableAt: op.at,
          expiresAt: op.expiresAt,
        });
      } else if (this.balance() >= -op.points) {
        this.seen.add(op.key);
        const sp = this.spendable(op.at);
        const rest = this.lots
          .filter((l) => !sp.includes(l) && l.remaining > 0)
          .sort(
            (a, b) =>
              (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) ||
              a.at - b.at ||
              (a.key < b.key ? -1 : 1),
          );
        const got = this.takeFrom(sp, -op.points);
        this.takeFrom(rest, -op.points - got);
      }
    } else if (op.type === 'refund') {
      const share = (p: number) =>
        op.refundedTotalMinor >= op.orderTotalMinor
          ? p
          : Math.floor((p * op.refundedTotalMinor) / op.orderTotalMinor);
      const ret = share(this.redeemed.get(op.orderId) ?? 0) - (this.returned.get(op.orderId) ?? 0);
      const rev = share(this.earned.get(op.orderId) ?? 0) - (this.reversed.get(op.orderId) ?? 0);
      const returnedLots: ModelLot[] = [];
      if (ret > 0) {
        // The points spent last come back first, with the lifetime of the lot they came from.
        let skip = this.returned.get(op.orderId) ?? 0;
        let left = ret;
        for (const a of [...(this.spent.get(op.orderId) ?? [])].reverse()) {
          const skipped = Math.min(skip, a.points);
          skip -= skipped;
          const n = Math.min(a.points - skipped, left);
          if (n === 0) continue;
          left -= n;
          const expiresAt = a.lot.expiresAt === null ? null : Math.max(a.lot.expiresAt, op.at);
          const same = returnedLots.find((l) => l.expiresAt === expiresAt);
          if (same) same.remaining += n;
          else
            returnedLots.push({
              key: `${op.key}:return:${returnedLots.length}`,
              order: op.orderId,
              earned: false,
              remaining: n,
              at: op.at,
              availableAt: op.at,
              expiresAt,
            });
        }
        this.lots.push(...returnedLots);
        this.add(this.returned, op.orderId, ret);
      }
      if (rev > 0) {
        this.add(this.reversed, op.orderId, rev);
        const own = this.lots.filter((l) => l.order === op.orderId && l.earned);
        const fromOwn = this.takeFrom(own, rev);
        // Lapsed points count as taken back once; spent ones come out of the customer's other points.
        const lapsed = Math.min(
          rev - fromOwn,
          (this.lapsed.get(op.orderId) ?? 0) - (this.forgiven.get(op.orderId) ?? 0),
        );
        this.add(this.forgiven, op.orderId, lapsed);
        const live = (l: ModelLot) =>
          !own.includes(l) && !returnedLots.includes(l) && (l.expiresAt === null || l.expiresAt > op.at);
        const spendable = this.spendable(op.at).filter(live);
        const pending = this.lots
          .filter((l) => live(l) && l.remaining > 0 && !spendable.includes(l))
          .sort(
            (a, b) =>
              (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) ||
              a.at - b.at ||
              (a.key < b.key ? -1 : 1),
          );
        const liveReturned = returnedLots.filter((l) => l.expiresAt === null || l.expiresAt > op.at);
        this.takeFrom([...liveReturned, ...spendable, ...pending], rev - fromOwn - lapsed);
      }
    }
  }
}

type Step =
  | { t: 'earn'; points: number; dt: number }
  | { t: 'redeem'; points: number; dt: number }
  | { t: 'refund'; order: number; fraction: number; dt: number }
  | { t: 'expire'; dt: number }
  | { t: 'adjust'; points: number; dt: number }
  | { t: 'replay'; index: number; dt: number };

const dt = fc.integer({ min: 0, max: 40 * DAY_MS });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ t: fc.constant('earn' as const), points: fc.integer({ min: 1, max: 500 }), dt }),
  fc.record({ t: fc.constant('redeem' as const), points: fc.integer({ min: 1, max: 400 }), dt }),
  fc.record({
    t: fc.constant('refund' as const),
    order: fc.nat(),
    fraction: fc.integer({ min: 1, max: 100 }),
    dt,
  }),
  fc.record({ t: fc.constant('expire' as const), dt }),
  fc.record({
    t: fc.constant('adjust' as const),
    points: fc.integer({ min: -300, max: 300 }).filter((p) => p !== 0),
    dt,
  }),
  fc.record({ t: fc.constant('replay' as const), index: fc.nat(), dt }),
);

describe('ledger under random operations', () => {
  it('keeps balance = sum of entries ≥ 0, matches the model, and writes each operation once', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let s = emptyLedger('c');
        const model = new Model();
        const all: LedgerEntry[] = [];
        const ops: LedgerOperation[] = [];
        const refunded = new Map<string, number>();
        const orders: string[] = [];
        let now = T0;
        steps.forEach((st, i) => {
          now += st.dt;
          let op: LedgerOperation;
          switch (st.t) {
            case 'earn':
              orders.push(`o${i}`);
              op = earn(`earn:o${i}`, `o${i}`, st.points, now);
              break;
            case 'redeem':
              orders.push(`o${i}`);
              op = { type: 'redeem', key: `redeem:o${i}`, orderId: `o${i}`, points: st.points, at: now };
              break;
            case 'refund': {
              if (orders.length === 0) return;
              const orderId = orders[st.order % orders.length];
              const total = 10_000;
              const cum = Math.min(total, (refunded.get(orderId) ?? 0) + st.fraction * 100);
              refunded.set(orderId, cum);
              op = {
                type: 'refund',
                key: `refund:${i}`,
                orderId,
                refundId: `rf${i}`,
                orderTotalMinor: total,
                refundedTotalMinor: cum,
                at: now,
              };
              break;
            }
            case 'expire':
              op = { type: 'expire', at: now };
              break;
            case 'adjust':
              op = {
                type: 'adjust',
                key: `adj${i}`,
                points: st.points,
                reason: 'correction',
                staffUserId: 'u',
                at: now,
                expiresAt: now + EXPIRY,
              };
              break;
            case 'replay': {
              if (ops.length === 0) return;
              const prev = ops[st.index % ops.length];
              if (prev.type === 'expire' || prev.type === 'refund') return;
              op = { ...prev, at: Math.max(prev.at, now) } as LedgerOperation;
              break;
            }
          }
          const d = planLedgerOperation(s, op);
          if (d.type === 'append') ops.push(op);
          if (st.t === 'replay') expect(d.type).toBe('duplicate');
          s = applyDecision(s, d);
          model.apply(op);
          if (d.type === 'append') all.push(...d.entries);

          const sum = all.reduce((a, e) => a + e.points, 0);
          expect(s.balance).toBe(sum);
          expect(s.balance).toBeGreaterThanOrEqual(0);
          for (const lot of s.lots) expect(lot.remaining).toBeGreaterThanOrEqual(0);
          expect(s.lots.reduce((a, l) => a + l.remaining, 0)).toBe(sum);
          expect(s.balance).toBe(model.balance());
          expect(ledgerBalance(s, now).available).toBe(model.available(now));
          // Folding the stored entries from scratch gives the same state.
          expect(ledgerFromEntries('c', all).lots).toEqual(s.lots);
          // Each entry key is written once.
          expect(new Set(all.map((e) => e.key)).size).toBe(all.length);
          // Checkout plans on the lots it may spend now: it plans earning and redeeming alike.
          const spending = ledgerForSpending(
            'c',
            s.lots.filter((l) => isSpendable(l, now)),
            s.operations,
          );
          for (const probe of [
            { type: 'redeem', key: `probe-r${i}`, orderId: `p${i}`, points: 1 + (i % 7) * 60, at: now },
            earn(`probe-e${i}`, `p${i}`, 10, now),
            ...(ops.length > 0 ? [ops[i % ops.length]] : []),
          ] as LedgerOperation[])
            if (probe.type === 'earn' || probe.type === 'redeem' || probe.type === 'bonus')
              expect(planLedgerOperation(spending, probe)).toEqual(planLedgerOperation(s, probe));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('applying the same operation twice yields one set of entries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (p, r) => {
        let s = emptyLedger('c');
        const e = earn('earn:o1', 'o1', p, T0);
        const first = planLedgerOperation(s, e);
        s = applyDecision(s, first);
        expect(planLedgerOperation(s, e)).toEqual({ type: 'duplicate', operationKey: 'earn:o1' });
        const redeem: LedgerOperation = {
          type: 'redeem',
          key: 'redeem:o2',
          orderId: 'o2',
          points: r,
          at: T0 + PENDING,
        };
        const d = planLedgerOperation(s, redeem);
        s = applyDecision(s, d);
        expect(applyDecision(s, planLedgerOperation(s, redeem))).toBe(s);
        const refund: LedgerOperation = {
          type: 'refund',
          key: 'rf',
          orderId: 'o1',
          refundId: 'rf',
          orderTotalMinor: 100,
          refundedTotalMinor: 60,
          at: T0 + PENDING + 1,
        };
        const once = applyDecision(s, planLedgerOperation(s, refund));
        const twice = applyDecision(once, planLedgerOperation(once, refund));
        expect(twice.balance).toBe(once.balance);
        expect(appendEntries(once, []).lots).toEqual(twice.lots);
      }),
    );
  });
});
