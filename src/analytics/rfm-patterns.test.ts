import { describe, expect, it } from 'vitest';
import { readFixtureBytes } from '../../test/fixtures/read-fixture-bytes.ts';
import { parseCdnowTransactions } from '../orders/formats/cdnow.ts';
import { buildPurchaseHistory } from './purchase-history.ts';
import { compressRfm, compressRfmDays, type RfmPatterns } from './rfm-patterns.ts';
import { summarizeRfm } from './rfm-summary.ts';

/** Pattern → weight, keyed by its values, for comparing two compressions. */
function byValues(p: RfmPatterns): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < p.size; i++) m.set(`${p.frequency[i]}|${p.recency[i]}|${p.age[i]}`, p.weight[i]);
  return m;
}

describe('compressRfm and compressRfmDays', () => {
  const columns = parseCdnowTransactions(readFixtureBytes('CDNOW_sample.txt'), {
    decimalComma: false,
    defaultCurrency: 'USD',
  });
  const summary = summarizeRfm(buildPurchaseHistory(columns), Date.UTC(1997, 8, 30) / 86_400_000, 'week', 2);

  it('weigh each distinct (x, t_x, T) by its customers and map every customer to it', () => {
    const p = compressRfm(summary.frequency, summary.recency, summary.age, summary.present);
    expect(p.customers).toBe(2357);
    expect(p.weight.reduce((a, b) => a + b, 0)).toBe(2357);
    for (let c = 0; c < summary.customerCount; c++) {
      const i = p.patternOf[c];
      expect([p.frequency[i], p.recency[i], p.age[i]]).toEqual([
        summary.frequency[c],
        summary.recency[c],
        summary.age[c],
      ]);
    }
    // tables: sorted distinct values, per-x weights add up
    expect(Array.from(p.times)).toEqual([...p.times].sort((a, b) => a - b));
    expect(p.xWeight.reduce((a, b) => a + b, 0)).toBe(2357);
  });
  it('give the same patterns from whole days as from the time values', () => {
    const a = compressRfm(summary.frequency, summary.recency, summary.age, summary.present);
    const b = compressRfmDays(summary);
    expect(b.size).toBe(a.size);
    expect(byValues(b)).toEqual(byValues(a));
    expect(Array.from(b.times)).toEqual(Array.from(a.times));
    expect(Array.from(b.xValues)).toEqual(Array.from(a.xValues));
    for (let c = 0; c < summary.customerCount; c++) {
      expect(b.frequency[b.patternOf[c]]).toBe(summary.frequency[c]);
      expect(b.recency[b.patternOf[c]]).toBe(summary.recency[c]);
    }
    const some = new Uint8Array(summary.customerCount);
    some[0] = 1;
    some[5] = 1;
    expect(compressRfmDays(summary, some).customers).toBe(2);
  });
});
