import { describe, expect, it } from 'vitest';
import { cohortRetention } from './cohort-retention.ts';
import { monthlyRetention } from './monthly-retention.ts';
import { buildPurchaseHistory } from './purchase-history.ts';
import { customerMeanIntervals, storeIntervals } from './purchase-intervals.ts';
import { repeatBusinessVerdict } from './repeat-business-verdict.ts';
import { computeStoreMetrics, netLtv } from './store-metrics.ts';
import { dayOf, transactions } from './test-transactions.ts';
import { timeToSecondPurchase } from './time-to-second-purchase.ts';

// A: three purchase days (two rows on Jan 5), B: one, C: two plus a refund, D: one. Rows unsorted.
const columns = transactions([
  ['A', '2024-02-10', 2000],
  ['A', '2024-01-05', 1000],
  ['B', '2024-01-20', 5000],
  ['A', '2024-01-05', 500],
  ['C', '2024-02-01', 4000],
  ['C', '2024-02-20', 1000],
  ['C', '2024-02-25', -500],
  ['A', '2024-03-15', 3000],
  ['D', '2024-03-01', 10000],
]);
const history = buildPurchaseHistory(columns);
const asOfDay = dayOf('2024-03-31');

describe('buildPurchaseHistory', () => {
  it('sorts rows by day, merges same-day rows and keeps refunds out of the purchase days', () => {
    const a = [history.start[0], history.start[1]];
    expect(Array.from(history.day.slice(a[0], a[1]))).toEqual([
      dayOf('2024-01-05'),
      dayOf('2024-02-10'),
      dayOf('2024-03-15'),
    ]);
    expect(Array.from(history.spendMinor.slice(a[0], a[1]))).toEqual([1500, 2000, 3000]);
    expect(Array.from(history.orders.slice(a[0], a[1]))).toEqual([2, 1, 1]);
    expect(history.start[3] - history.start[2]).toBe(2); // C: the refund day is not a purchase day
    expect(history.refundMinor[2]).toBe(-500);
  });
});

describe('computeStoreMetrics', () => {
  it('computes AOV, f, customer value, simple CLV, repeat rate and repeat revenue share by hand', () => {
    const m = computeStoreMetrics(history, {
      asOfDay,
      minorDigits: 2,
      cacMinor: 1000,
      retentionCostMinor: 500,
    });
    expect(m.customers).toBe(4);
    expect(m.orders).toBe(8); // the refund is not an order
    expect(m.revenue).toBeCloseTo(260, 10); // 65 + 50 + (50 − 5) + 100
    expect(m.aov).toBeCloseTo(32.5, 10);
    expect(m.purchaseFrequency).toBe(2);
    expect(m.customerValue).toBeCloseTo(65, 10);
    expect(m.observedYears).toBeCloseTo(87 / 365.25, 12); // Jan 5 … Mar 31 2024, 87 days
    expect(m.simpleClv).toBeCloseTo(32.5 * (2 / (87 / 365.25)) * 2, 8);
    expect(m.repeatCustomers).toBe(2);
    expect(m.repeatPurchaseRate).toBe(0.5);
    expect(m.repeatRevenueShare).toBeCloseTo(60 / 260, 12); // A: 20 + 30, C: 10
    expect(m.netLtv).toBeCloseTo(260 / 4 - 10 - 5, 10);
    expect(netLtv(250, 40, 15)).toBe(195);
  });
  it('ignores purchases after the as-of day', () => {
    const m = computeStoreMetrics(history, { asOfDay: dayOf('2024-01-31'), minorDigits: 2 });
    expect(m.customers).toBe(2);
    expect(m.orders).toBe(3);
    expect(m.netLtv).toBeNull();
  });
});

describe('monthlyRetention and cohortRetention', () => {
  it('divides last month’s customers who bought again by last month’s customers', () => {
    const r = monthlyRetention(history, asOfDay);
    expect(r.months).toEqual([
      { month: '2024-02', previousCustomers: 2, retained: 1, rate: 0.5 }, // Jan {A, B} → Feb {A, C}
      { month: '2024-03', previousCustomers: 2, retained: 1, rate: 0.5 }, // Feb {A, C} → Mar {A, D}
    ]);
    expect(r.averageRate).toBe(0.5);
    // an incomplete last month is left out
    expect(monthlyRetention(history, dayOf('2024-03-30')).months.map((m) => m.month)).toEqual(['2024-02']);
  });
  it('builds the acquisition month × months-since-first-order matrix', () => {
    expect(cohortRetention(history, asOfDay)).toEqual([
      { month: '2024-01', size: 2, active: [2, 1, 1], rate: [1, 0.5, 0.5] },
      { month: '2024-02', size: 1, active: [1, 0], rate: [1, 0] },
      { month: '2024-03', size: 1, active: [1], rate: [1] },
    ]);
  });
});

describe('purchase intervals and time to second purchase', () => {
  it('averages intervals per customer and per store', () => {
    const perCustomer = customerMeanIntervals(history, asOfDay);
    expect(perCustomer[0]).toBe(35); // (36 + 34) / 2
    expect(perCustomer[1]).toBeNaN();
    expect(perCustomer[2]).toBe(19);
    const s = storeIntervals(history, asOfDay);
    expect(s.customers).toBe(2);
    expect(s.meanDays).toBeCloseTo(89 / 3, 12);
    expect(s.medianDays).toBe(34); // gaps 19, 34, 36
    expect(s.meanOfCustomerMeansDays).toBe(27);
  });
  it('describes the time from first to second purchase', () => {
    const t = timeToSecondPurchase(history, asOfDay);
    expect(t.customers).toBe(4);
    expect(t.withSecond).toBe(2);
    expect(t.p50).toBe(27.5); // 19 and 36
    expect(t.p90).toBeCloseTo(19 + 0.9 * 17, 12);
    expect(t.histogram).toEqual([0, 0, 1, 1, 0, 0, 0, 0]); // 19 → 15–30, 36 → 31–60
  });
});

describe('repeatBusinessVerdict', () => {
  const rows: Array<[string, string, number]> = [];
  const build = (returning: number, total: number) => {
    rows.length = 0;
    for (let i = 0; i < total; i++) {
      rows.push([`c${i}`, '2023-01-10', 1000]);
      if (i < returning) rows.push([`c${i}`, '2023-03-01', 1000]);
    }
    return buildPurchaseHistory(transactions(rows));
  };
  const asOf = dayOf('2024-01-01');
  it('calls 20 of 100 customers back within 180 days a repeat business, 10 limited, 2 one-off', () => {
    expect(repeatBusinessVerdict(build(20, 100), asOf)).toMatchObject({ verdict: 'repeat', returnRate: 0.2 });
    expect(repeatBusinessVerdict(build(10, 100), asOf).verdict).toBe('limited');
    const oneOff = repeatBusinessVerdict(build(2, 100), asOf);
    expect(oneOff.verdict).toBe('one-off');
    expect(oneOff.reason).toContain('2 of 100 customers (2.0 %)');
  });
  it('gives no verdict on fewer than 50 eligible customers', () => {
    expect(repeatBusinessVerdict(build(5, 30), asOf).verdict).toBe('insufficient-data');
    expect(repeatBusinessVerdict(build(50, 100), dayOf('2023-03-01')).verdict).toBe('insufficient-data');
  });
});
