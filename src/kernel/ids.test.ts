import { describe, expect, it } from 'vitest';
import { createIdGenerator, isIdOf } from './ids.ts';

describe('ids', () => {
  it('are prefixed, unique, sorted by creation, and random in every character of the random part', () => {
    const next = createIdGenerator();
    const ids = Array.from({ length: 20_000 }, () => next('order'));
    expect(ids.every((id) => isIdOf('order', id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // The pooled random source reaches every Crockford character in each position of a fresh id.
    const fresh = Array.from({ length: 2_000 }, () => createIdGenerator()('order').slice(14));
    for (let pos = 0; pos < 16; pos++) expect(new Set(fresh.map((r) => r[pos])).size).toBe(32);
  });
});
