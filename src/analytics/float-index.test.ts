import { describe, expect, it } from 'vitest';
import { FloatIndex } from './float-index.ts';

describe('FloatIndex', () => {
  it('gives dense indexes in order of first insertion and finds them again after growing', () => {
    const ix = new FloatIndex(2);
    const keys = [7.5, 2, -1, 1e15, 0.1 + 0.2, 2, 7.5];
    expect(keys.map((k) => ix.indexOf(k))).toEqual([0, 1, 2, 3, 4, 1, 0]);
    for (let i = 0; i < 10_000; i++) ix.indexOf(i / 7);
    expect(ix.find(7.5)).toBe(0);
    expect(ix.find(1e15)).toBe(3);
    expect(ix.find(-0)).toBe(ix.find(0));
    expect(ix.find(123.456)).toBe(-1);
    expect(ix.size).toBe(5 + 10_000 - 1); // 2 = 14/7 was already there
    expect(ix.values[3]).toBe(1e15);
  });
});
