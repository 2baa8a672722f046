import type { PurchaseHistory } from './purchase-history.ts';

export type RepeatVerdict = 'repeat' | 'limited' | 'one-off' | 'insufficient-data';

export interface RepeatBusinessVerdict {
  verdict: RepeatVerdict;
  /** Share of eligible customers who bought again within `windowDays` of their first purchase. */
  returnRate: number;
  windowDays: number;
  /** Customers acquired at least `windowDays` before the as-of day. */
  eligibleCustomers: number;
  /** The rule, in words. */
  rule: string;
  /** Why this verdict, in words, with the numbers. */
  reason: string;
}

export interface VerdictOptions {
  /** How long a customer gets to come back (default 180 days). */
  windowDays?: number;
  /** At or above: a repeat-purchase business (default 0.15). */
  repeatThreshold?: number;
  /** Below: a one-off business (default 0.05). */
  oneOffThreshold?: number;
  /** Fewer eligible customers than this: no verdict (default 50). */
  minCustomers?: number;
}

/**
 * Whether the store is a repeat-purchase business at all (PRODUCT.md: "not every business is
 * repeat-driven … the product must say so"). The rule: among customers acquired at least
 * `windowDays` (180) before the as-of day — so every one had the same chance — the share who
 * bought again within `windowDays` of their first purchase is the return rate. At least 15 %:
 * a repeat-purchase business, retention work pays. 5–15 %: limited repeat buying; retention
 * helps some customers but is not the main lever. Under 5 %: a one-off business (like wedding
 * dresses or windows); win-back campaigns will mostly be wasted. Fewer than 50 eligible
 * customers: not enough data to say.
 * @example repeatBusinessVerdict(history, asOfDay).verdict // 'repeat'
 */
export function repeatBusinessVerdict(
  history: PurchaseHistory,
  asOfDay: number,
  options: VerdictOptions = {},
): RepeatBusinessVerdict {
  const windowDays = options.windowDays ?? 180;
  const repeatThreshold = options.repeatThreshold ?? 0.15;
  const oneOffThreshold = options.oneOffThreshold ?? 0.05;
  const minCustomers = options.minCustomers ?? 50;
  const { start, day } = history;
  let eligible = 0;
  let returned = 0;
  for (let c = 0; c < history.customerCount; c++) {
    const lo = start[c];
    if (lo === start[c + 1] || day[lo] > asOfDay - windowDays) continue;
    eligible++;
    if (lo + 1 < start[c + 1] && day[lo + 1] - day[lo] <= windowDays) returned++;
  }
  const returnRate = eligible > 0 ? returned / eligible : Number.NaN;
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const rule =
    `Of the customers whose first purchase was at least ${windowDays} days ago, the share who bought ` +
    `again within ${windowDays} days: ≥ ${pct(repeatThreshold)} repeat business, ` +
    `${pct(oneOffThreshold)}–${pct(repeatThreshold)} limited, < ${pct(oneOffThreshold)} one-off ` +
    `(at least ${minCustomers} such customers needed).`;
  if (eligible < minCustomers) {
    return {
      verdict: 'insufficient-data',
      returnRate,
      windowDays,
      eligibleCustomers: eligible,
      rule,
      reason: `Only ${eligible} customers were acquired more than ${windowDays} days ago; at least ${minCustomers} are needed to judge.`,
    };
  }
  const base = `${returned} of ${eligible} customers (${pct(returnRate)}) bought again within ${windowDays} days of their first purchase`;
  if (returnRate >= repeatThreshold) {
    return {
      verdict: 'repeat',
      returnRate,
      windowDays,
      eligibleCustomers: eligible,
      rule,
      reason: `${base}: a repeat-purchase business, so retention and win-back work pays off.`,
    };
  }
  if (returnRate >= oneOffThreshold) {
    return {
      verdict: 'limited',
      returnRate,
      windowDays,
      eligibleCustomers: eligible,
      rule,
      reason: `${base}: repeat buying is limited; retention helps some customers but acquisition matters more.`,
    };
  }
  return {
    verdict: 'one-off',
    returnRate,
    windowDays,
    eligibleCustomers: eligible,
    rule,
    reason: `${base}: customers rarely come back; this looks like a one-off business, where win-back campaigns are mostly wasted.`,
  };
}
