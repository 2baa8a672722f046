import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coversUse, quotaGrant } from './quota.ts';

describe('quota grants', () => {
  it('cover the use that asked, never exceed what is free, and keep an unlimited dimension unlimited', () => {
    const free = fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: null });
    fc.assert(
      fc.property(free, free, fc.integer({ min: 0, max: 1e6 }), (uses, minor, discount) => {
        fc.pre(coversUse({ uses, minor }, discount));
        const g = quotaGrant({ uses, minor }, discount);
        expect(g.uses === null).toBe(uses === null);
        expect(g.minor === null).toBe(minor === null);
        if (g.uses !== null && uses !== null) {
          expect(g.uses).toBeGreaterThanOrEqual(1);
          expect(g.uses).toBeLessThanOrEqual(Math.min(uses, 1000));
        }
        if (g.minor !== null && minor !== null) {
          expect(g.minor).toBeGreaterThanOrEqual(discount);
          expect(g.minor).toBeLessThanOrEqual(minor);
        }
        expect(coversUse(g, discount)).toBe(true);
      }),
    );
  });

  it('hand out a 128th of a large limit, and one use at a time near its end', () => {
    expect(quotaGrant({ uses: 10_000_000, minor: null }, 100)).toEqual({ uses: 1000, minor: null });
    expect(quotaGrant({ uses: 1000, minor: 900_000 }, 1000)).toEqual({ uses: 7, minor: 7031 });
    expect(quotaGrant({ uses: 100, minor: null }, 100)).toEqual({ uses: 1, minor: null });
    expect(quotaGrant({ uses: null, minor: 1500 }, 1000)).toEqual({ uses: null, minor: 1000 });
    expect(coversUse({ uses: 0, minor: null }, 1)).toBe(false);
    expect(coversUse({ uses: null, minor: 999 }, 1000)).toBe(false);
  });
});
