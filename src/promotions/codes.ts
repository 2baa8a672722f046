/**
 * Coupon codes: one normal form for lookups, and bulk generation of unique codes from an
 * unambiguous alphabet. Generation takes its random source as an argument (crypto in
 * production, a seeded one in tests).
 */

/** Digits and capitals without the look-alikes 0/O, 1/I/L, and U (V): 30 symbols. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

const SEPARATORS = /[\s\-_.]+/g;

/**
 * The form codes are stored and compared in: NFKC, upper case, spaces, hyphens, underscores and
 * dots removed, so "summer-10 " and "SUMMER10" are one code.
 * @example normalizeCode(' abcd-efgh ') // 'ABCDEFGH'
 */
export function normalizeCode(raw: string): string {
  return raw.normalize('NFKC').toUpperCase().replace(SEPARATORS, '');
}

/** A code grouped for printing: `ABCDEFGHJK` → `ABCD-EFGH-JK`. */
export function formatCode(code: string, groupSize = 4): string {
  const parts: string[] = [];
  for (let i = 0; i < code.length; i += groupSize) parts.push(code.slice(i, i + groupSize));
  return parts.join('-');
}

/** Fills a buffer of `size` random bytes (e.g. `(n) => crypto.getRandomValues(new Uint8Array(n))`). */
export type RandomBytes = (size: number) => Uint8Array;

export interface GenerateCodesOptions {
  count: number;
  /** Random symbols per code (the prefix comes on top). 10 symbols ≈ 49 bits. */
  length?: number;
  prefix?: string;
  randomBytes: RandomBytes;
  /** Codes that exist already (the repository's check); a clash is drawn again. */
  exists?: (code: string) => boolean;
}

export type GeneratedCodes =
  | { type: 'generated'; codes: string[] }
  | { type: 'rejected'; reason: 'code_space_too_small'; minLength: number }
  | { type: 'rejected'; reason: 'too_many_clashes'; generated: number };

/** A byte below this is used (mod 30); above it, drawn again, so every symbol is equally likely. */
const BYTE_LIMIT = 256 - (256 % CODE_ALPHABET.length);
/** At most 1 in this many codes of the space are handed out, so a guess rarely hits one. */
const SPARSENESS = 1000;

/**
 * `count` distinct codes from `CODE_ALPHABET`, normalised. Refuses a length whose code space
 * is not at least 1000 × count, so codes stay hard to guess.
 * @example generateCodes({ count: 2, length: 8, prefix: 'XMAS', randomBytes }) // { type: 'generated', codes: ['XMAS7KQ2…', …] }
 */
export function generateCodes(options: GenerateCodesOptions): GeneratedCodes {
  const { count, randomBytes, exists } = options;
  const length = options.length ?? 10;
  const prefix = normalizeCode(options.prefix ?? '');
  const n = CODE_ALPHABET.length;
  if (length < 1 || length * Math.log(n) < Math.log(Math.max(1, count) * SPARSENESS))
    return {
      type: 'rejected',
      reason: 'code_space_too_small',
      minLength: Math.ceil(Math.log(Math.max(1, count) * SPARSENESS) / Math.log(n)),
    };
  const seen = new Set<string>();
  const codes: string[] = [];
  let attempts = 0;
  const maxAttempts = count * 2 + 100;
  let buf = randomBytes(0);
  let pos = 0;
  while (codes.length < count) {
    if (++attempts > maxAttempts)
      return { type: 'rejected', reason: 'too_many_clashes', generated: codes.length };
    let code = prefix;
    for (let k = 0; k < length; ) {
      if (pos >= buf.length) {
        buf = randomBytes(Math.max(64, length * 2));
        pos = 0;
      }
      const b = buf[pos++];
      if (b >= BYTE_LIMIT) continue;
      code += CODE_ALPHABET[b % n];
      k++;
    }
    if (seen.has(code) || exists?.(code)) continue;
    seen.add(code);
    codes.push(code);
  }
  return { type: 'generated', codes };
}
