import { describe, expect, it } from 'vitest';
import { classifyLifecycle, describeLifecycle, LIFECYCLE_STAGES, type LifecycleInput } from './lifecycle.ts';
import { buildPurchaseHistory } from './purchase-history.ts';
import { quintileScores, RFM_SEGMENTS, rfmSegment } from './rfm-scores.ts';
import { dayOf, transactions } from './test-transactions.ts';
import { typicalIntervals } from './typical-interval.ts';

describe('quintileScores', () => {
  it('gives each fifth its score and equal values the same score', () => {
    expect(Array.from(quintileScores(Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), true))).toEqual([
      1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
    ]);
    // recency in days: fewer is better
    expect(Array.from(quintileScores(Float64Array.of(10, 1, 5, 5, 100), false))).toEqual([2, 5, 3, 3, 1]);
    // 6 of 10 tied at the bottom share score 1; the next value has 6 below it → 1 + ⌊5·6/10⌋ = 4
    expect(Array.from(quintileScores(Float64Array.of(1, 1, 1, 1, 1, 1, 2, 2, 3, 4), true))).toEqual([
      1, 1, 1, 1, 1, 1, 4, 4, 5, 5,
    ]);
  });
});

describe('rfmSegment', () => {
  it('maps the R×F grid to the documented segments', () => {
    const name = (r: number, f: number) => RFM_SEGMENTS[rfmSegment(r, f)];
    expect(name(5, 5)).toBe('Champions');
    expect(name(5, 4)).toBe('Champions');
    expect(name(4, 5)).toBe('Loyal');
    expect(name(3, 4)).toBe('Loyal');
    expect(name(5, 2)).toBe('Potential loyalist');
    expect(name(4, 3)).toBe('Potential loyalist');
    expect(name(5, 1)).toBe('New');
    expect(name(4, 1)).toBe('Promising');
    expect(name(3, 3)).toBe('Need attention');
    expect(name(3, 1)).toBe('About to sleep');
    expect(name(2, 4)).toBe('At risk');
    expect(name(1, 5)).toBe("Can't lose");
    expect(name(2, 2)).toBe('Hibernating');
    expect(name(1, 2)).toBe('Hibernating');
    expect(name(1, 1)).toBe('Lost');
    // every cell has a segment
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++) expect(rfmSegment(r, f)).toBeGreaterThanOrEqual(0);
  });
});

describe('typicalIntervals', () => {
  it('is the shared gap when every customer buys at the same rhythm', () => {
    const rows: Array<[string, string, number]> = [
      ['a', '2024-01-01', 1],
      ['a', '2024-01-11', 1],
      ['a', '2024-01-21', 1],
      ['b', '2024-02-01', 1],
      ['b', '2024-02-11', 1],
      ['c', '2024-03-01', 1],
    ];
    const t = typicalIntervals(buildPurchaseHistory(transactions(rows)), dayOf('2024-06-01'));
    expect(t.days[0]).toBeCloseTo(10, 9);
    expect(t.days[1]).toBeCloseTo(10, 9);
    expect(t.days[2]).toBeCloseTo(10, 9); // one-time buyer: the store's
    expect(Array.from(t.gaps)).toEqual([2, 1, 0]);
  });
  it('shrinks a one-gap customer toward the store by nτ²/(nτ²+σ²), computed by hand', () => {
    // x: gaps 2, 8, 4, 16 days; y: gaps 4, 4; z: one gap of 64 days
    const rows: Array<[string, string, number]> = [
      ['x', '2024-01-01', 1],
      ['x', '2024-01-03', 1],
      ['x', '2024-01-11', 1],
      ['x', '2024-01-15', 1],
      ['x', '2024-01-31', 1],
      ['y', '2024-01-01', 1],
      ['y', '2024-01-05', 1],
      ['y', '2024-01-09', 1],
      ['z', '2024-01-01', 1],
      ['z', '2024-03-05', 1],
    ];
    const t = typicalIntervals(buildPurchaseHistory(transactions(rows)), dayOf('2024-06-01'));
    const L = Math.LN2;
    // log gaps: x = (1, 3, 2, 4)·ln 2, mean 2.5 ln2; y = (2, 2) ln2, mean 2 ln2; z = 6 ln2
    const sigma2 = ((1.5 ** 2 + 0.5 ** 2 + 0.5 ** 2 + 1.5 ** 2) * L * L + 0) / (3 + 1);
    const means = [2.5 * L, 2 * L, 6 * L];
    const n = [4, 2, 1];
    const mean = (means[0] + means[1] + means[2]) / 3;
    const varY = means.reduce((s, m) => s + (m - mean) ** 2, 0) / 2;
    const tau2 = Math.max(varY - (sigma2 / 4 + sigma2 / 2 + sigma2) / 3, 0.01 * sigma2);
    const w = n.map((k) => 1 / (tau2 + sigma2 / k));
    const mu = (w[0] * means[0] + w[1] * means[1] + w[2] * means[2]) / (w[0] + w[1] + w[2]);
    expect(t.prior!.sigma2).toBeCloseTo(sigma2, 12);
    expect(t.prior!.tau2).toBeCloseTo(tau2, 12);
    expect(t.prior!.mu).toBeCloseTo(mu, 12);
    const b = tau2 / (tau2 + sigma2);
    expect(t.ownWeight[2]).toBeCloseTo(b, 12);
    expect(t.days[2]).toBeCloseTo(Math.exp(mu + b * (6 * L - mu)), 9);
    expect(t.days[2]).toBeLessThan(64); // pulled toward the store
    expect(t.ownWeight[0]).toBeGreaterThan(t.ownWeight[2]); // more gaps, more weight on their own
  });
});

describe('classifyLifecycle', () => {
  const input: LifecycleInput = {
    // repeat customers with a typical interval of 10 days, then one-time buyers
    daysSinceLast: Float64Array.of(5, 20, 35, 61, 10, 30, 40, 70, 3),
    purchaseDays: Int32Array.of(3, 3, 3, 3, 1, 1, 1, 1, 4),
    typicalDays: Float64Array.of(10, 10, 10, 10, 12, 12, 12, 12, 10),
    storeTypicalDays: 12,
    gaps: Int32Array.of(2, 2, 2, 2, 0, 0, 0, 0, 3),
    secondPurchaseP50: 27.5,
    secondPurchaseP90: 34.3,
    secondPurchaseCount: 40,
    totalSpend: Float64Array.of(10, 10, 10, 10, 10, 10, 10, 10, 500),
  };
  it('judges repeat buyers by k × their interval and one-time buyers by the second-purchase percentiles', () => {
    const res = classifyLifecycle(input, { sleepingFactor: 3 });
    const stages = Array.from(res.stage, (s) => LIFECYCLE_STAGES[s]);
    // 5/10 active; 20/10 = 2 > 1.5 at risk; 35/10 = 3.5 > 3 sleeping; 61/10 > 6 lost
    // one-time: 10 ≤ 27.5 new; 30 > 27.5 at risk; 40 > 34.3 sleeping; 70 > 68.6 lost; top spender VIP
    expect(stages).toEqual([
      'active',
      'at_risk',
      'sleeping',
      'lost',
      'new',
      'at_risk',
      'sleeping',
      'lost',
      'vip',
    ]);
    expect(Array.from(res.sleeping)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 0]);
    expect(describeLifecycle(input, res, 2)).toBe(
      "no purchase for 35 days, 3.5 × their typical interval of 10 days (from 2 intervals, shrunk toward the store's 12); sleeping beyond 3 ×",
    );
    expect(describeLifecycle(input, res, 6)).toBe(
      "one purchase 40 days ago; 90 % of the store's second purchases come within 34 days",
    );
    expect(describeLifecycle(input, res, 8)).toMatch(/^VIP \(top spend\); last purchase 3.0 days ago/);
  });
  it('uses k: with k = 4 a 3.5-interval silence is only at risk', () => {
    const res = classifyLifecycle(input, { sleepingFactor: 4 });
    expect(LIFECYCLE_STAGES[res.stage[2]]).toBe('at_risk');
    expect(res.sleeping[2]).toBe(0);
  });
  it('does not judge one-time buyers when the store has too few second purchases', () => {
    const res = classifyLifecycle({ ...input, secondPurchaseCount: 5 });
    expect(LIFECYCLE_STAGES[res.stage[7]]).toBe('new');
    expect(res.sleeping[7]).toBe(0);
    expect(describeLifecycle(input, res, 7)).toContain('too few second purchases');
  });
});
