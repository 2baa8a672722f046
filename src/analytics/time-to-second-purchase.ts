import type { PurchaseHistory } from './purchase-history.ts';
import { selectQuantiles } from './select-quantile.ts';

/** Upper bounds (days, inclusive) of the histogram buckets; the last bucket is open. */
export const SECOND_PURCHASE_BUCKETS = [7, 14, 30, 60, 90, 180, 365] as const;

export interface TimeToSecondPurchase {
  /** Customers whose first purchase is on or before the as-of day. */
  customers: number;
  /** Of those, customers with a second purchase day. */
  withSecond: number;
  meanDays: number;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
  /** Counts per bucket: ≤7, 8–14, 15–30, 31–60, 61–90, 91–180, 181–365, >365 days. */
  histogram: number[];
}

/**
 * The distribution of days from the first to the second purchase day, over customers who made
 * a second purchase by `asOfDay` (observed times only: customers still waiting are censored,
 * so the distribution leans short for young stores).
 * @example timeToSecondPurchase(history, asOfDay).p90
 */
export function timeToSecondPurchase(history: PurchaseHistory, asOfDay: number): TimeToSecondPurchase {
  const { start, day } = history;
  const values = new Float64Array(history.customerCount);
  let count = 0;
  let customers = 0;
  const histogram = new Array<number>(SECOND_PURCHASE_BUCKETS.length + 1).fill(0);
  for (let c = 0; c < history.customerCount; c++) {
    const lo = start[c];
    if (lo === start[c + 1] || day[lo] > asOfDay) continue;
    customers++;
    if (lo + 1 < start[c + 1] && day[lo + 1] <= asOfDay) {
      const d = day[lo + 1] - day[lo];
      values[count++] = d;
      let b = 0;
      while (b < SECOND_PURCHASE_BUCKETS.length && d > SECOND_PURCHASE_BUCKETS[b]) b++;
      histogram[b]++;
    }
  }
  const [p10, p25, p50, p75, p90] = selectQuantiles(values.subarray(0, count), [0.1, 0.25, 0.5, 0.75, 0.9]);
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i];
  return {
    customers,
    withSecond: count,
    meanDays: count > 0 ? sum / count : Number.NaN,
    p10,
    p25,
    p50,
    p75,
    p90,
    histogram,
  };
}
