import { DAY_MS } from '../kernel/time.ts';
import type { TransactionColumns } from '../orders/formats/types.ts';

/**
 * Each customer's purchase days in compressed-row form: customer c's days are
 * `day[start[c]] … day[start[c+1] − 1]`, ascending and distinct, with that day's spend and
 * number of order rows. Purchases are merged by UTC day (the models' unit of repeat purchase).
 */
export interface PurchaseHistory {
  customerCount: number;
  customerIds: string[];
  start: Int32Array;
  /** UTC day number (days since 1970-01-01). */
  day: Int32Array;
  /** Spend on that day in minor units (the sum of its non-negative rows). */
  spendMinor: Float64Array;
  /** Order rows on that day. */
  orders: Int32Array;
  /** Per customer: the sum of negative rows (refunds), minor units, ≤ 0; not purchase days. */
  refundMinor: Float64Array;
  /** Rows used (finite time and amount). */
  rowCount: number;
}

/**
 * Groups transaction rows by customer and UTC day: counting sort by customer, then each
 * customer's rows by day, then same-day rows merged (spend summed). Rows with a negative
 * amount are refunds: they lower the customer's revenue but are not purchases, so they never
 * create a purchase day. O(rows) plus the per-customer sorts; no per-row objects.
 * @example buildPurchaseHistory(columns).start[1] // number of purchase days of customer 0
 */
export function buildPurchaseHistory(columns: TransactionColumns): PurchaseHistory {
  const customerCount = columns.customerIds.length;
  const n = columns.length;
  const { customerIndex, timeMs, amountMinor } = columns;
  const counts = new Int32Array(customerCount + 1);
  const refundMinor = new Float64Array(customerCount);
  let rowCount = 0;
  for (let i = 0; i < n; i++) {
    const c = customerIndex[i];
    const amount = amountMinor[i];
    if (c < 0 || c >= customerCount || !Number.isFinite(timeMs[i]) || !Number.isFinite(amount)) continue;
    rowCount++;
    if (amount < 0) refundMinor[c] += amount;
    else counts[c + 1]++;
  }
  for (let c = 0; c < customerCount; c++) counts[c + 1] += counts[c];
  const purchaseRows = counts[customerCount];
  const rowDay = new Int32Array(purchaseRows);
  const rowAmount = new Float64Array(purchaseRows);
  // counting sort by customer; files grouped by customer (CDNOW) land in place, in one pass
  const fill = counts.slice(0, customerCount);
  for (let i = 0; i < n; i++) {
    const c = customerIndex[i];
    const amount = amountMinor[i];
    if (c < 0 || c >= customerCount || !Number.isFinite(timeMs[i]) || !(amount >= 0)) continue;
    const at = fill[c]++;
    rowDay[at] = Math.floor(timeMs[i] / DAY_MS);
    rowAmount[at] = amount;
  }
  const start = new Int32Array(customerCount + 1);
  const day = new Int32Array(purchaseRows);
  const spendMinor = new Float64Array(purchaseRows);
  const orders = new Int32Array(purchaseRows);
  let out = 0;
  for (let c = 0; c < customerCount; c++) {
    start[c] = out;
    const lo = counts[c];
    const hi = counts[c + 1];
    if (hi - lo > 1) sortByDay(rowDay, rowAmount, lo, hi);
    for (let i = lo; i < hi; i++) {
      if (out > start[c] && day[out - 1] === rowDay[i]) {
        spendMinor[out - 1] += rowAmount[i];
        orders[out - 1]++;
      } else {
        day[out] = rowDay[i];
        spendMinor[out] = rowAmount[i];
        orders[out] = 1;
        out++;
      }
    }
  }
  start[customerCount] = out;
  return {
    customerCount,
    customerIds: columns.customerIds,
    start,
    // views, not copies: a few spare slots (same-day merges) cost less than another copy
    day: day.subarray(0, out),
    spendMinor: spendMinor.subarray(0, out),
    orders: orders.subarray(0, out),
    refundMinor,
    rowCount,
  };
}

/** Sorts rows lo..hi by day (stable insertion sort; files are usually already in date order). */
function sortByDay(days: Int32Array, amounts: Float64Array, lo: number, hi: number): void {
  let sorted = true;
  for (let i = lo + 1; i < hi; i++) {
    if (days[i] < days[i - 1]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  if (hi - lo > 64) {
    const idx = Array.from({ length: hi - lo }, (_, k) => lo + k);
    idx.sort((a, b) => days[a] - days[b] || a - b);
    const d = idx.map((i) => days[i]);
    const m = idx.map((i) => amounts[i]);
    for (let k = 0; k < d.length; k++) {
      days[lo + k] = d[k];
      amounts[lo + k] = m[k];
    }
    return;
  }
  for (let i = lo + 1; i < hi; i++) {
    const d = days[i];
    const m = amounts[i];
    let j = i - 1;
    while (j >= lo && days[j] > d) {
      days[j + 1] = days[j];
      amounts[j + 1] = amounts[j];
      j--;
    }
    days[j + 1] = d;
    amounts[j + 1] = m;
  }
}
