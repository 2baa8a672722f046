import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Entity prefixes: an id says what it names (`cus_01J…`). */
export const ID_PREFIXES = {
  store: 'str',
  apiKey: 'key',
  customer: 'cus',
  consent: 'cns',
  product: 'prd',
  order: 'ord',
  refund: 'ref',
  cart: 'crt',
  event: 'evt',
  importRun: 'imp',
  scoreRun: 'scr',
  staffUser: 'stf',
  loyaltyEvent: 'lev',
  loyaltyRun: 'lrn',
  membership: 'mbr',
  referral: 'rfl',
  callOutcome: 'cal',
  loyaltyAdjustment: 'adj',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Makes prefixed, time-sortable ids; injected so tests can make deterministic ones. */
export type IdGenerator = (kind: IdKind) => string;

/**
 * Cryptographic random numbers in [0, 1), drawn from a pooled buffer: ulid's own source asks the
 * system for random bytes once per character (16 calls per id), which showed in checkout profiles.
 */
function pooledRandom(): () => number {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++] / 0x1_0000_0000;
  };
}

/** The production generator: ULIDs, monotonic within a millisecond so ids sort by creation. */
export function createIdGenerator(): IdGenerator {
  const next = monotonicFactory(pooledRandom());
  return (kind) => `${ID_PREFIXES[kind]}_${next()}`;
}

/** Whether `value` looks like one of our ids of `kind` (as opposed to a store's external id). */
export function isIdOf(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`) && value.length === ID_PREFIXES[kind].length + 27;
}
