import type { PurchaseHistory } from './purchase-history.ts';
import { selectQuantiles } from './select-quantile.ts';

export interface StoreIntervals {
  /** Customers with two or more purchase days (who have an interval). */
  customers: number;
  /** Pooled mean days between consecutive purchase days: Σ(last − first) / Σ gaps. */
  meanDays: number;
  /** Median of all gaps between consecutive purchase days. */
  medianDays: number;
  /** Mean over customers of their own mean interval. */
  meanOfCustomerMeansDays: number;
}

/**
 * Each customer's average interval between purchase days, (last − first) / (purchase days − 1),
 * in days (NaN for one-time buyers), counting purchases up to `asOfDay`.
 * @example customerMeanIntervals(history, asOfDay)[c]
 */
export function customerMeanIntervals(history: PurchaseHistory, asOfDay: number): Float64Array {
  const { start, day } = history;
  const out = new Float64Array(history.customerCount).fill(Number.NaN);
  for (let c = 0; c < history.customerCount; c++) {
    let hi = start[c + 1];
    while (hi > start[c] && day[hi - 1] > asOfDay) hi--;
    const gaps = hi - start[c] - 1;
    if (gaps > 0) out[c] = (day[hi - 1] - day[start[c]]) / gaps;
  }
  return out;
}

/**
 * The store's average purchase interval (PRODUCT.md §2): pooled mean and median of the gaps
 * between consecutive purchase days, and the mean of the customers' own means.
 * @example storeIntervals(history, asOfDay).medianDays
 */
export function storeIntervals(history: PurchaseHistory, asOfDay: number): StoreIntervals {
  const { start, day } = history;
  let customers = 0;
  let span = 0;
  let gapsTotal = 0;
  let sumMeans = 0;
  const gaps = new Float64Array(day.length);
  let gapCount = 0;
  for (let c = 0; c < history.customerCount; c++) {
    let hi = start[c + 1];
    while (hi > start[c] && day[hi - 1] > asOfDay) hi--;
    const n = hi - start[c] - 1;
    if (n <= 0) continue;
    customers++;
    const s = day[hi - 1] - day[start[c]];
    span += s;
    gapsTotal += n;
    sumMeans += s / n;
    for (let i = start[c] + 1; i < hi; i++) gaps[gapCount++] = day[i] - day[i - 1];
  }
  const [median] = selectQuantiles(gaps.subarray(0, gapCount), [0.5]);
  return {
    customers,
    meanDays: gapsTotal > 0 ? span / gapsTotal : Number.NaN,
    medianDays: median,
    meanOfCustomerMeansDays: customers > 0 ? sumMeans / customers : Number.NaN,
  };
}
