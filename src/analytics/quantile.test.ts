import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantileSorted } from './quantile.ts';
import { selectQuantile, selectQuantiles } from './select-quantile.ts';

describe('quantileSorted and selectQuantile', () => {
  it('interpolate between order statistics (type 7)', () => {
    expect(quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5)).toBe(2.5);
    expect(quantileSorted(Float64Array.of(19, 36), 0.9)).toBeCloseTo(34.3, 12);
    expect(quantileSorted(new Float64Array(0), 0.5)).toBeNaN();
  });
  it('selectQuantile(s) equal the sort-based quantile on whole numbers (counting) and decimals (quickselect)', () => {
    const anyValues = fc.oneof(
      fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 200 }),
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
    );
    fc.assert(
      fc.property(anyValues, fc.double({ min: 0, max: 1, noNaN: true }), (xs, p) => {
        const values = Float64Array.from(xs);
        const sorted = values.slice().sort();
        expect(selectQuantile(values, p)).toBeCloseTo(quantileSorted(sorted, p), 9);
        const ps = [0.9, p, 0.1, 0.5];
        expect(selectQuantiles(values, ps)).toEqual(
          ps.map((q) => expect.closeTo(quantileSorted(sorted, q), 9)),
        );
      }),
    );
  });
});
