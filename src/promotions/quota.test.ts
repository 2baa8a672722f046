import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coversUse, giveBackUses, quotaGrant, type UseShard } from './quota.ts';

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

describe('giving back uses', () => {
  it('takes a use from a shard whose spend covers its discount, before an earlier shard holding less', () => {
    const shards: UseShard[] = [
      { shard: 1, uses: { a: [1, 100] } },
      { shard: 2, uses: { a: [1, 500] } },
    ];
    const use = { promotionId: 'a', discountMinor: 300 };
    expect(giveBackUses(shards, [use])).toEqual({
      shards: [{ shard: 2, uses: { a: [0, 200] } }],
      back: [{ use, shard: 2, minor: 300 }],
    });
  });

  it("takes the discount from the use's shard, then other shards' spend, and leaves the rest to the row", () => {
    const shards: UseShard[] = [
      { shard: 1, uses: { a: [1, 100] } },
      { shard: 2, uses: { a: [0, 150], b: [2, 40] } },
      { shard: 3, uses: { b: [1, 10] } },
    ];
    const use = { promotionId: 'a', discountMinor: 300 };
    expect(giveBackUses(shards, [use])).toEqual({
      shards: [
        { shard: 1, uses: { a: [0, 0] } },
        { shard: 2, uses: { a: [0, 0], b: [2, 40] } },
      ],
      back: [{ use, shard: 1, minor: 250 }],
    });
  });

  it('gives a use back from the row when no shard holds one, still taking spend the shards have left', () => {
    const use = { promotionId: 'a', discountMinor: 50 };
    expect(giveBackUses([{ shard: 3, uses: { a: [0, 80] } }], [use])).toEqual({
      shards: [{ shard: 3, uses: { a: [0, 30] } }],
      back: [{ use, shard: null, minor: 50 }],
    });
    expect(giveBackUses([], [use])).toEqual({ shards: [], back: [{ use, shard: null, minor: 0 }] });
  });

  it('gives back every use and discount once, from shards as far as they hold them, never below zero, leaving the input as it was', () => {
    const promotions = ['a', 'b', 'c', 'z'];
    const counts = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 500 }));
    const shardsArb = fc.uniqueArray(
      fc.record({
        shard: fc.integer({ min: 0, max: 15 }),
        uses: fc.record({ a: counts, b: counts, c: counts, z: counts }, { requiredKeys: [] }),
      }),
      { selector: (r) => r.shard, maxLength: 5 },
    );
    // 'z' only sits in the shards: its counts stay as they are.
    const usesArb = fc.array(
      fc.record({
        promotionId: fc.constantFrom('a', 'b', 'c'),
        discountMinor: fc.integer({ min: 0, max: 300 }),
      }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(shardsArb, usesArb, (shards: UseShard[], uses) => {
        const before = structuredClone(shards);
        const { shards: changed, back } = giveBackUses(shards, uses);
        expect(shards).toEqual(before);
        expect(back.map((b) => b.use)).toEqual(uses);

        const after = before.map((r) => changed.find((c) => c.shard === r.shard) ?? r);
        // Exactly the shards whose counts changed come back, in the input's order.
        expect(changed.map((c) => c.shard)).toEqual(
          before.filter((r, i) => JSON.stringify(r) !== JSON.stringify(after[i])).map((r) => r.shard),
        );
        const count = (r: UseShard, id: string, i: 0 | 1) => r.uses[id]?.[i] ?? 0;
        for (const r of after)
          for (const [n, spent] of Object.values(r.uses)) {
            expect(n).toBeGreaterThanOrEqual(0);
            expect(spent).toBeGreaterThanOrEqual(0);
          }
        for (const b of back) {
          expect(b.minor).toBeGreaterThanOrEqual(0);
          expect(b.minor).toBeLessThanOrEqual(b.use.discountMinor);
        }
        for (const id of promotions) {
          const mine = back.filter((b) => b.use.promotionId === id);
          for (const [i, r] of before.entries())
            expect(count(r, id, 0) - count(after[i], id, 0)).toBe(
              mine.filter((b) => b.shard === r.shard).length,
            );
          const sum = (xs: number[]) => xs.reduce((t, x) => t + x, 0);
          const fromShards = mine.filter((b) => b.shard !== null).length;
          const fromRow = mine.filter((b) => b.shard === null).length;
          expect(fromShards + fromRow).toBe(mine.length);
          // A use comes from the row only when no shard holds one of its promotion's uses.
          expect(fromShards).toBe(Math.min(mine.length, sum(before.map((r) => count(r, id, 0)))));
          const spentBack = sum(before.map((r, i) => count(r, id, 1) - count(after[i], id, 1)));
          const discounts = sum(mine.map((b) => b.use.discountMinor));
          expect(spentBack).toBe(sum(mine.map((b) => b.minor)));
          expect(spentBack + sum(mine.map((b) => b.use.discountMinor - b.minor))).toBe(discounts);
          expect(spentBack).toBe(Math.min(discounts, sum(before.map((r) => count(r, id, 1)))));
        }
      }),
    );
  });
});
