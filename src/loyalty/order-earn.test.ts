import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../kernel/time.ts';
import { appendEntries, emptyLedger, ledgerBalance, planLedgerOperation } from './ledger.ts';
import {
  type IngestedOrder,
  ingestedEarnOperation,
  ingestedRefundOperation,
  linesPaid,
} from './order-earn.ts';
import { LoyaltyProgram } from './program.ts';
import type { LedgerOperation, LedgerState } from './types.ts';

const NOW = Date.UTC(2026, 5, 1);
const program = LoyaltyProgram.parse({
  currency: 'EUR',
  bonuses: { firstOrder: 10 },
  pendingDays: 14,
  expiryDays: 90,
});

const order = (over: Partial<IngestedOrder> = {}): IngestedOrder => ({
  externalId: 'o-1',
  customerId: 'cus_1',
  placedAt: NOW - DAY_MS,
  status: 'paid',
  currency: 'EUR',
  lines: [{ productId: 'p', categoryIds: [], totalMinor: 2550, discountMinor: 0 }],
  discountMinor: 0,
  isFirstOrder: false,
  tierMultiplierBps: 10_000,
  ...over,
});

describe('linesPaid', () => {
  it('spreads the order discount beyond the lines’ own over the lines by their totals', () => {
    expect(
      linesPaid({
        lines: [
          { totalMinor: 600, discountMinor: 0 },
          { totalMinor: 400, discountMinor: 0 },
        ],
        discountMinor: 100,
      }),
    ).toEqual([540, 360]);
    expect(linesPaid({ lines: [{ totalMinor: 900, discountMinor: 100 }], discountMinor: 100 })).toEqual([
      900,
    ]);
  });

  it('parts add up to the lines less the extra discount and never go below zero (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            totalMinor: fc.integer({ min: 0, max: 1e7 }),
            discountMinor: fc.integer({ min: 0, max: 1e5 }),
          }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.integer({ min: 0, max: 2e7 }),
        (lines, discountMinor) => {
          const paid = linesPaid({ lines, discountMinor });
          const total = lines.reduce((a, l) => a + l.totalMinor, 0);
          const own = lines.reduce((a, l) => a + l.discountMinor, 0);
          const extra = Math.min(total, Math.max(0, discountMinor - own));
          expect(paid.reduce((a, p) => a + p, 0)).toBe(total - extra);
          for (const p of paid) expect(p).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('ingestedEarnOperation', () => {
  it('earns per the rules, keyed earn:<external id> (the key checkout commits with), pending through the return window', () => {
    const op = ingestedEarnOperation(program, order({ isFirstOrder: true }), NOW);
    expect(op).toMatchObject({
      type: 'earn',
      key: 'earn:o-1',
      orderId: 'o-1',
      points: 25 + 10,
      availableAt: NOW - DAY_MS + 14 * DAY_MS,
    });
  });

  it('earns nothing for unpaid, cancelled or refunded orders', () => {
    for (const status of ['open', 'cancelled', 'refunded'])
      expect(ingestedEarnOperation(program, order({ status }), NOW)).toBeNull();
  });

  it("earns nothing for an order in another currency than the program's", () => {
    expect(ingestedEarnOperation(program, order(), NOW)).not.toBeNull();
    expect(ingestedEarnOperation(program, order({ currency: 'JPY' }), NOW)).toBeNull();
  });

  it('earns nothing when the points would have lapsed already by now (history imports)', () => {
    expect(ingestedEarnOperation(program, order({ placedAt: NOW - 105 * DAY_MS }), NOW)).toBeNull();
    expect(ingestedEarnOperation(program, order({ placedAt: NOW - 103 * DAY_MS }), NOW)).not.toBeNull();
  });

  it('applies the tier multiplier', () => {
    expect(ingestedEarnOperation(program, order({ tierMultiplierBps: 20_000 }), NOW)).toMatchObject({
      points: 51,
    });
  });
});

describe('ingestedRefundOperation', () => {
  const earned = (): LedgerState => {
    const d = planLedgerOperation(emptyLedger('cus_1'), ingestedEarnOperation(program, order(), NOW)!);
    return d.type === 'append' ? appendEntries(emptyLedger('cus_1'), d.entries) : emptyLedger('cus_1');
  };

  it('takes back the refunded share cumulatively: refunds in any steps end at the same balance as one refund (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2550 }), { minLength: 1, maxLength: 6 }), (steps) => {
        let state = earned();
        let refunded = 0;
        for (const s of steps) {
          refunded = Math.min(2550, refunded + s);
          const op = ingestedRefundOperation(
            {
              externalId: 'o-1',
              status: 'partially_refunded',
              totalMinor: 2550,
              shippingMinor: 0,
              refundedMinor: refunded,
            },
            NOW,
          )!;
          const d = planLedgerOperation(state, op);
          if (d.type === 'append') state = appendEntries(state, d.entries);
          // The same refunded total again is the same key: applied once.
          expect(planLedgerOperation(state, op).type).not.toBe('append');
        }
        const once = planLedgerOperation(
          earned(),
          ingestedRefundOperation(
            {
              externalId: 'o-1',
              status: 'partially_refunded',
              totalMinor: 2550,
              shippingMinor: 0,
              refundedMinor: refunded,
            },
            NOW,
          )!,
        );
        const oneStep = once.type === 'append' ? appendEntries(earned(), once.entries) : earned();
        expect(state.balance).toBe(oneStep.balance);
        expect(ledgerBalance(state, NOW).balance).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('a cancelled order loses all its points', () => {
    const op = ingestedRefundOperation(
      { externalId: 'o-1', status: 'cancelled', totalMinor: 2550, shippingMinor: 0, refundedMinor: 0 },
      NOW,
    )!;
    const d = planLedgerOperation(earned(), op);
    expect(d.type === 'append' ? appendEntries(earned(), d.entries).balance : -1).toBe(0);
  });

  it('measures a refund against the goods: all items refunded but not the shipping takes back every point', () => {
    const refund = (refundedMinor: number) =>
      ingestedRefundOperation(
        {
          externalId: 'o-1',
          status: 'partially_refunded',
          totalMinor: 2750,
          shippingMinor: 200,
          refundedMinor,
        },
        NOW,
      )!;
    const balanceAfter = (op: LedgerOperation) => {
      const d = planLedgerOperation(earned(), op);
      return d.type === 'append' ? appendEntries(earned(), d.entries).balance : earned().balance;
    };
    expect(earned().balance).toBe(25);
    expect(balanceAfter(refund(2550))).toBe(0);
    expect(balanceAfter(refund(1275))).toBe(13);
    // The shipping refunded on top changes nothing: the same refunded goods, the same key.
    expect(refund(2750)).toEqual(refund(2550));
  });

  it('nothing refunded: no operation', () => {
    expect(
      ingestedRefundOperation(
        { externalId: 'o-1', status: 'paid', totalMinor: 2550, shippingMinor: 0, refundedMinor: 0 },
        NOW,
      ),
    ).toBeNull();
  });
});
