import type { PurchaseHistory } from './purchase-history.ts';
import { quantileSorted } from './quantile.ts';

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
  const gaps: number[] = [];
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
    for (let i = start[c] + 1; i < hi; i++) gaps.push(day[i] - day[i - 1]);
  }
  const sorted = Float64Array.from(gaps).sort();
  return {
    customers,
    meanDays: gapsTotal > 0 ? span / gapsTotal : Number.NaN,
    medianDays: quantileSorted(sorted, 0.5),
    meanOfCustomerMeansDays: customers > 0 ? sumMeans / customers : Number.NaN,
  };
}
