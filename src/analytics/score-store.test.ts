import { describe, expect, it } from 'vitest';
import { readFixtureBytes } from '../../test/fixtures/read-fixture-bytes.ts';
import { parseCdnowTransactions } from '../orders/formats/cdnow.ts';
import { holdoutTable } from './holdout.ts';
import { LIFECYCLE_STAGES } from './lifecycle.ts';
import { RFM_SEGMENTS } from './rfm-scores.ts';
import { type ScoreStoreOptions, scoreStore } from './score-store.ts';
import { transactions } from './test-transactions.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const cdnowOptions: ScoreStoreOptions = {
  asOf: Date.UTC(1998, 5, 30),
  calibrationEnd: Date.UTC(1997, 8, 30),
  timeUnit: 'week',
  horizon: 52,
  discountRate: 0.01,
  sleepingFactor: 3,
  model: 'bgnbd',
};

describe('scoreStore on CDNOW_sample', () => {
  const columns = parseCdnowTransactions(readFixtureBytes('CDNOW_sample.txt'), {
    decimalComma: false,
    defaultCurrency: 'USD',
  });
  const res = scoreStore(columns, cdnowOptions);

  it('fits all three models on the calibration period with the published values', () => {
    const { bgnbd, paretonbd, gammaGamma } = res.models;
    expect(rel(bgnbd!.params.r, 0.2425929)).toBeLessThan(1e-3);
    expect(rel(bgnbd!.params.b, 2.425754)).toBeLessThan(1e-3);
    expect(rel(bgnbd!.logLikelihood, -9582.4256)).toBeLessThan(1e-5);
    expect(rel(paretonbd!.params.s, 0.60621)).toBeLessThan(5e-3);
    expect(rel(paretonbd!.logLikelihood, -9594.974)).toBeLessThan(2e-5);
    expect(rel(gammaGamma!.params.p, 6.248804)).toBeLessThan(1e-3);
    expect(res.models.selected).toBe('bgnbd');
  });
  it('checks the models on the 39-week holdout, by calibration frequency', () => {
    const h = res.holdout!;
    expect(h.length).toBe(39);
    expect(h.customers).toBe(2357);
    expect(h.rows.map((r) => r.x)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(h.rows[0].customers).toBe(1411);
    expect(h.rows.reduce((s, r) => s + r.customers * r.actual, 0)).toBeCloseTo(h.totalActual, 9);
    // the model tracks the holdout totals within 15 %
    expect(Math.abs(h.errors.bgnbd.bias)).toBeLessThan(0.15);
    expect(Math.abs(h.errors.paretonbd.bias)).toBeLessThan(0.15);
  });
  it('summarises the store and scores every customer', () => {
    expect(res.summary.customers).toBe(2357);
    expect(res.summary.orders).toBe(6919);
    expect(res.summary.verdict.verdict).toBe('repeat');
    const c = res.customers;
    expect(c.count).toBe(2357);
    for (let i = 0; i < c.count; i++) {
      expect(c.pAlive[i]).toBeGreaterThanOrEqual(0);
      expect(c.pAlive[i]).toBeLessThanOrEqual(1);
      expect(c.expectedPurchases[i]).toBeGreaterThanOrEqual(0);
      expect(c.predictedClv[i]).toBeGreaterThanOrEqual(0);
      expect(c.nextPurchaseMs[i]).toBeGreaterThan(cdnowOptions.asOf);
    }
    const counts = Object.values(res.segments.rfm).reduce((a, b) => a + b, 0);
    expect(counts).toBe(2357);
    expect(Object.values(res.segments.lifecycle).reduce((a, b) => a + b, 0)).toBe(2357);
    expect(typeof c.describe(0)).toBe('string');
  });
  it('auto picks the model with the lower holdout RMSE', () => {
    const auto = scoreStore(columns, { ...cdnowOptions, model: 'auto' });
    const { bgnbd, paretonbd } = auto.holdout!.errors;
    expect(auto.models.selected).toBe(bgnbd.rmse <= paretonbd.rmse ? 'bgnbd' : 'paretonbd');
    expect(auto.models.selectionReason).toContain('RMSE');
    // without a holdout period: the higher log-likelihood
    const noHoldout = scoreStore(columns, { ...cdnowOptions, calibrationEnd: null, model: 'auto' });
    expect(noHoldout.holdout).toBeNull();
    expect(noHoldout.models.selectionReason).toContain('log-likelihood');
  });
});

describe('scoreStore on a hand-made store', () => {
  const columns = transactions([
    ['A', '2024-01-05', 1500],
    ['A', '2024-02-10', 2000],
    ['A', '2024-03-15', 3000],
    ['B', '2024-01-20', 5000],
    ['C', '2024-02-01', 4000],
    ['C', '2024-02-20', 1000],
    ['D', '2024-03-01', 10000],
    ['E', '2024-04-02', 700], // after the as-of day: ignored
  ]);
  const res = scoreStore(columns, {
    asOf: Date.UTC(2024, 2, 31, 15, 30),
    timeUnit: 'day',
    horizon: 30,
    discountRate: 0,
    sleepingFactor: 3,
    model: 'auto',
    standardErrors: false,
  });
  it('counts customers up to the as-of day and has no holdout without a calibration end', () => {
    expect(res.summary.customers).toBe(4);
    expect(res.customers.count).toBe(4);
    expect(res.holdout).toBeNull();
    expect(res.summary.asOf).toBe('2024-03-31');
    // four customers: too few to fit the models, which are left out rather than reported as nonsense
    expect(res.models.bgnbd).toBeNull();
    expect(res.models.selectionReason).toContain('too few customers');
    expect(res.customers.pAlive[0]).toBeNaN();
  });
  it('gives the RFM recency, frequency and the lifecycle of each customer', () => {
    const c = res.customers;
    expect(Array.from(c.purchaseDays)).toEqual([3, 1, 2, 1]);
    expect(Array.from(c.daysSinceLastPurchase)).toEqual([16, 71, 40, 30]);
    expect(Array.from(c.frequency)).toEqual([2, 0, 1, 0]);
    expect(Array.from(c.recency)).toEqual([70, 0, 19, 0]);
    expect(Array.from(c.age)).toEqual([86, 71, 59, 30]);
    expect(Array.from(c.totalSpend)).toEqual([65, 50, 50, 100]);
    expect(Array.from(c.meanIntervalDays)).toEqual([35, Number.NaN, 19, Number.NaN]);
    // R: fewer days since the last purchase is better; score = 1 + ⌊5·(customers strictly worse)/4⌋
    expect(Array.from(c.rfmRecency)).toEqual([4, 1, 2, 3]);
    // F: purchase days 3, 1, 2, 1 → strictly fewer: 3, 0, 2, 0
    expect(Array.from(c.rfmFrequency)).toEqual([4, 1, 3, 1]);
    expect(Array.from(c.segment, (s) => RFM_SEGMENTS[s])).toEqual([
      'Loyal',
      'Lost',
      'At risk',
      'About to sleep',
    ]);
    // too few second purchases to judge one-time buyers (B new; D new and the top spender, VIP);
    // A: 16 days against ≈ 35; C: 40 days against its one 19-day gap shrunk toward the store's
    expect(c.typicalIntervalDays[2]).toBeGreaterThan(19);
    expect(c.typicalIntervalDays[2]).toBeLessThan(40 / 1.5); // so 40 days is beyond 1.5 intervals: at risk
    expect(Array.from(c.stage, (s) => LIFECYCLE_STAGES[s])).toEqual(['active', 'new', 'at_risk', 'vip']);
  });
  it('rejects a calibration end after the as-of day', () => {
    expect(() =>
      scoreStore(columns, {
        ...cdnowOptions,
        asOf: Date.UTC(2024, 0, 1),
        calibrationEnd: Date.UTC(2024, 1, 1),
      }),
    ).toThrow(/calibration end/);
  });
});

describe('holdoutTable', () => {
  it('pools 7+ and reports MAE, RMSE and bias per model', () => {
    const t = holdoutTable(
      Float64Array.of(0, 0, 1, 9),
      Int32Array.of(0, 2, 1, 5),
      { m: Float64Array.of(1, 1, 1, 4) },
      10,
    );
    expect(t.rows).toEqual([
      { x: '0', customers: 2, actual: 1, predicted: { m: 1 } },
      { x: '1', customers: 1, actual: 1, predicted: { m: 1 } },
      { x: '7+', customers: 1, actual: 5, predicted: { m: 4 } },
    ]);
    expect(t.errors.m.mae).toBe(0.75); // |1−0| + |1−2| + 0 + |4−5|
    expect(t.errors.m.rmse).toBeCloseTo(Math.sqrt(3 / 4), 12);
    expect(t.errors.m.bias).toBeCloseTo((7 - 8) / 8, 12);
  });
});
