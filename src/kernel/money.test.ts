import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor, prorate, toMinorUnits } from './money.ts';

describe('toMinorUnits', () => {
  it('parses decimal text exactly into minor units', () => {
    expect(toMinorUnits('19.99', 'EUR')).toBe(1999);
    expect(toMinorUnits('1,234.50', 'USD')).toBe(123450);
    expect(toMinorUnits('1.234,50', 'EUR', true)).toBe(123450);
    expect(toMinorUnits('-0.29', 'GBP')).toBe(-29);
    expect(toMinorUnits('$12', 'USD')).toBe(1200);
    expect(toMinorUnits('500', 'JPY')).toBe(500);
    expect(toMinorUnits('0.005', 'USD')).toBe(1);
    expect(toMinorUnits('abc', 'USD')).toBeNull();
    expect(toMinorUnits('', 'USD')).toBeNull();
  });
  it('formats minor units back to the same decimal text', () => {
    expect(formatMinor(1999, 'EUR')).toBe('19.99');
    expect(formatMinor(-5, 'USD')).toBe('-0.05');
    expect(formatMinor(500, 'JPY')).toBe('500');
  });
});

describe('prorate', () => {
  it('gives the leftover units to the largest remainders', () => {
    expect(prorate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(prorate(-10, [1, 3])).toEqual([-3, -7]);
  });
  it('always sums to the total, whatever the weights', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 30 }),
        (total, weights) => {
          const parts = prorate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        },
      ),
    );
  });
});
