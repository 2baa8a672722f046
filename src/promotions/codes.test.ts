import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, formatCode, generateCodes, normalizeCode } from './codes.ts';

/** A seeded byte source (xorshift32) for reproducible tests. */
function seededBytes(seed: number) {
  let x = seed | 1;
  return (size: number) =>
    Uint8Array.from({ length: size }, () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x & 0xff;
    });
}

describe('normalizeCode', () => {
  it('ignores case, spaces, hyphens, underscores and dots', () => {
    expect(normalizeCode(' summer-10 ')).toBe('SUMMER10');
    expect(normalizeCode('abcd efgh_jk.mn')).toBe('ABCDEFGHJKMN');
    expect(normalizeCode('ＳＡＬＥ')).toBe('SALE');
  });
  it('prints codes in groups that normalise back to the same code', () => {
    expect(formatCode('ABCDEFGHJK')).toBe('ABCD-EFGH-JK');
    expect(normalizeCode(formatCode('ABCDEFGHJK'))).toBe('ABCDEFGHJK');
  });
});

describe('generateCodes', () => {
  it('makes N distinct codes from the unambiguous alphabet, with the prefix', () => {
    const r = generateCodes({ count: 500, length: 8, prefix: 'xmas-', randomBytes: seededBytes(1) });
    expect(r.type).toBe('generated');
    if (r.type !== 'generated') return;
    expect(r.codes).toHaveLength(500);
    expect(new Set(r.codes).size).toBe(500);
    for (const c of r.codes) {
      expect(c).toMatch(/^XMAS[2-9A-HJKMNP-TV-Z]{8}$/);
      expect(normalizeCode(c)).toBe(c);
    }
    expect(CODE_ALPHABET).not.toMatch(/[01ILOU]/);
  });
  it('is reproducible from the same random source', () => {
    const a = generateCodes({ count: 5, randomBytes: seededBytes(7) });
    const b = generateCodes({ count: 5, randomBytes: seededBytes(7) });
    expect(a).toEqual(b);
  });
  it('draws again when a code exists already', () => {
    const first = generateCodes({ count: 1, randomBytes: seededBytes(3) });
    if (first.type !== 'generated') throw new Error('expected codes');
    const taken = new Set(first.codes);
    const again = generateCodes({ count: 1, randomBytes: seededBytes(3), exists: (c) => taken.has(c) });
    expect(again.type === 'generated' && again.codes[0]).not.toBe(first.codes[0]);
  });
  it('refuses codes too short to be hard to guess, saying the length needed', () => {
    expect(generateCodes({ count: 10_000, length: 4, randomBytes: seededBytes(1) })).toEqual({
      type: 'rejected',
      reason: 'code_space_too_small',
      minLength: 5,
    });
  });
  it('gives up instead of looping when the random source repeats itself', () => {
    const stuck = (size: number) => new Uint8Array(size);
    expect(generateCodes({ count: 3, length: 6, randomBytes: stuck })).toEqual({
      type: 'rejected',
      reason: 'too_many_clashes',
      generated: 1,
    });
  });
});
