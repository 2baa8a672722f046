import type { PurchaseHistory } from './purchase-history.ts';

/** Time unit of the models: the unit only scales time (a week is 7 days). */
export type TimeUnit = 'day' | 'week';

export const UNIT_DAYS: Record<TimeUnit, number> = { day: 1, week: 7 };

/**
 * The buy-till-you-die sufficient statistics per customer as of a cutoff day (inclusive):
 * x = distinct purchase days − 1, t_x = last − first purchase day, T = cutoff − first purchase
 * day (both in the time unit), and the mean spend of the repeat days (major units).
 */
export interface RfmSummary {
  customerCount: number;
  /** 1 when the customer bought on or before the cutoff (absent customers have zeros). */
  present: Uint8Array;
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
  /** Mean spend of the repeat purchase days (the first day excluded), major units; 0 when x = 0. */
  monetary: Float64Array;
  firstDay: Int32Array;
  lastDay: Int32Array;
  cutoffDay: number;
  unitDays: number;
}

/**
 * Builds the RFM summary (Fader, Hardie & Lee 2005 notation: x, t_x, T, and z̄ for spend) from
 * purchase histories up to and including `cutoffDay`; `minorDigits` converts spend to major
 * units (CDNOW: dollars, so the Gamma-Gamma v is in dollars as published).
 * @example summarizeRfm(history, utcDay(Date.UTC(1997, 8, 30)), 'week', 2) // CDNOW calibration
 */
export function summarizeRfm(
  history: PurchaseHistory,
  cutoffDay: number,
  unit: TimeUnit,
  minorDigits: number,
): RfmSummary {
  const n = history.customerCount;
  const unitDays = UNIT_DAYS[unit];
  const scale = 10 ** -minorDigits;
  const present = new Uint8Array(n);
  const frequency = new Float64Array(n);
  const recency = new Float64Array(n);
  const age = new Float64Array(n);
  const monetary = new Float64Array(n);
  const firstDay = new Int32Array(n);
  const lastDay = new Int32Array(n);
  const { start, day, spendMinor } = history;
  for (let c = 0; c < n; c++) {
    const lo = start[c];
    let hi = start[c + 1];
    while (hi > lo && day[hi - 1] > cutoffDay) hi--;
    if (hi === lo) continue;
    present[c] = 1;
    const x = hi - lo - 1;
    const first = day[lo];
    const last = day[hi - 1];
    firstDay[c] = first;
    lastDay[c] = last;
    frequency[c] = x;
    recency[c] = (last - first) / unitDays;
    age[c] = (cutoffDay - first) / unitDays;
    if (x > 0) {
      let sum = 0;
      for (let i = lo + 1; i < hi; i++) sum += spendMinor[i];
      monetary[c] = (sum / x) * scale;
    }
  }
  return {
    customerCount: n,
    present,
    frequency,
    recency,
    age,
    monetary,
    firstDay,
    lastDay,
    cutoffDay,
    unitDays,
  };
}

/**
 * Purchase days of each customer in the holdout window (afterDay, throughDay], counted like x
 * (same-day purchases are one); customers first seen in the window count too.
 * @example countPurchaseDays(history, calibrationEndDay, asOfDay)
 */
export function countPurchaseDays(
  history: PurchaseHistory,
  afterDay: number,
  throughDay: number,
): Int32Array {
  const n = history.customerCount;
  const out = new Int32Array(n);
  const { start, day } = history;
  for (let c = 0; c < n; c++) {
    let k = 0;
    for (let i = start[c]; i < start[c + 1]; i++) if (day[i] > afterDay && day[i] <= throughDay) k++;
    out[c] = k;
  }
  return out;
}
