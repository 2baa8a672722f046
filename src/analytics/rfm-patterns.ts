import { FloatIndex } from './float-index.ts';
import type { RfmSummary } from './rfm-summary.ts';

/**
 * Customers with the same (x, t_x, T) compressed into weighted patterns, as Fader & Hardie do
 * in their spreadsheets: the likelihoods and predictions depend on nothing else, so each is
 * computed once per pattern. Times are indexed into one sorted table of distinct values and
 * frequencies into a table of distinct x, so per-time and per-x terms (ln(α+t), ln Γ(r+x), …)
 * are computed once per distinct value as well.
 */
export interface RfmPatterns {
  size: number;
  /** Total weight (number of customers). */
  customers: number;
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
  weight: Float64Array;
  /** Distinct x values, ascending; xIndex[i] points into it. */
  xValues: Float64Array;
  xIndex: Int32Array;
  /** Number of customers per distinct x. */
  xWeight: Float64Array;
  /** Distinct t_x and T values, ascending. */
  times: Float64Array;
  recencyIndex: Int32Array;
  ageIndex: Int32Array;
  /** For each input customer, its pattern (−1 when not included). */
  patternOf: Int32Array;
}

/**
 * Compresses per-customer (x, t_x, T) into distinct weighted patterns; customers with
 * `include[c] === 0` are left out (e.g. not yet acquired at the calibration end).
 * @example compressRfm(summary.frequency, summary.recency, summary.age, summary.present).size
 */
export function compressRfm(
  frequency: Float64Array,
  recency: Float64Array,
  age: Float64Array,
  include?: Uint8Array,
): RfmPatterns {
  const n = frequency.length;
  // distinct times and frequencies, in order of appearance, then sorted
  const timeIx = new FloatIndex(1024);
  const xIx = new FloatIndex(64);
  const cr = new Int32Array(n);
  const ca = new Int32Array(n);
  const cx = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    if (include && include[c] === 0) continue;
    cr[c] = timeIx.indexOf(recency[c]);
    ca[c] = timeIx.indexOf(age[c]);
    cx[c] = xIx.indexOf(frequency[c]);
  }
  const [times, timeRank] = sortedWithRank(timeIx);
  const [xValues, xRank] = sortedWithRank(xIx);
  const nt = times.length;
  const patternIx = new FloatIndex(Math.min(n, 1 << 16));
  const patternOf = new Int32Array(n).fill(-1);
  const pX = new Int32Array(n);
  const pR = new Int32Array(n);
  const pA = new Int32Array(n);
  const w = new Float64Array(n);
  let size = 0;
  let customers = 0;
  for (let c = 0; c < n; c++) {
    if (include && include[c] === 0) continue;
    const xi = xRank[cx[c]];
    const ri = timeRank[cr[c]];
    const ai = timeRank[ca[c]];
    // exact as a double while xValues·nt² < 2^53 (always, for day-grid times)
    const p = patternIx.indexOf((xi * nt + ri) * nt + ai);
    if (p === size) {
      size++;
      pX[p] = xi;
      pR[p] = ri;
      pA[p] = ai;
    }
    w[p]++;
    customers++;
    patternOf[c] = p;
  }
  const xIndex = pX.slice(0, size);
  const recencyIndex = pR.slice(0, size);
  const ageIndex = pA.slice(0, size);
  const weight = w.slice(0, size);
  const freqOut = new Float64Array(size);
  const recOut = new Float64Array(size);
  const ageOut = new Float64Array(size);
  const xWeight = new Float64Array(xValues.length);
  for (let p = 0; p < size; p++) {
    freqOut[p] = xValues[xIndex[p]];
    recOut[p] = times[recencyIndex[p]];
    ageOut[p] = times[ageIndex[p]];
    xWeight[xIndex[p]] += weight[p];
  }
  return {
    size,
    customers,
    frequency: freqOut,
    recency: recOut,
    age: ageOut,
    weight,
    xValues,
    xIndex,
    xWeight,
    times,
    recencyIndex,
    ageIndex,
    patternOf,
  };
}

/** The distinct keys ascending, and for each insertion index its rank in that order. */
function sortedWithRank(ix: FloatIndex): [Float64Array, Int32Array] {
  const sorted = ix.values.slice(0, ix.size).sort();
  const rank = new Int32Array(ix.size);
  for (let i = 0; i < ix.size; i++) {
    // binary search: sorted values are distinct
    const v = ix.values[i];
    let lo = 0;
    let hi = ix.size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
  }
  return [sorted, rank];
}

/**
 * compressRfm for a summary built on whole UTC days (the usual case): t_x and T come from
 * integer day differences, so they and x are indexed through direct tables instead of a hash,
 * and only the (x, t_x, T) key goes through the hash index. Same result as
 * compressRfm(summary.frequency, summary.recency, summary.age, include ?? summary.present).
 * @example compressRfmDays(summarizeRfm(history, cutoffDay, 'week', 2))
 */
export function compressRfmDays(summary: RfmSummary, include: Uint8Array = summary.present): RfmPatterns {
  const n = summary.customerCount;
  const { firstDay, lastDay, frequency, cutoffDay, unitDays } = summary;
  let maxSpan = 0;
  let maxX = 0;
  for (let c = 0; c < n; c++) {
    if (include[c] === 0) continue;
    const span = cutoffDay - firstDay[c];
    if (span > maxSpan) maxSpan = span;
    if (frequency[c] > maxX) maxX = frequency[c];
  }
  if (maxSpan > 1 << 24 || maxX > 1 << 24)
    return compressRfm(summary.frequency, summary.recency, summary.age, include);
  // which day differences and x values occur, then their ranks
  const usedDay = new Int32Array(maxSpan + 1);
  const usedX = new Int32Array(maxX + 1);
  for (let c = 0; c < n; c++) {
    if (include[c] === 0) continue;
    usedDay[lastDay[c] - firstDay[c]] = 1;
    usedDay[cutoffDay - firstDay[c]] = 1;
    usedX[frequency[c]] = 1;
  }
  let nt = 0;
  for (let d = 0; d <= maxSpan; d++) usedDay[d] = usedDay[d] ? nt++ : -1;
  let nx = 0;
  for (let x = 0; x <= maxX; x++) usedX[x] = usedX[x] ? nx++ : -1;
  const times = new Float64Array(nt);
  for (let d = 0; d <= maxSpan; d++) if (usedDay[d] >= 0) times[usedDay[d]] = d / unitDays;
  const xValues = new Float64Array(nx);
  for (let x = 0; x <= maxX; x++) if (usedX[x] >= 0) xValues[usedX[x]] = x;
  const patternIx = new FloatIndex(Math.min(n, 1 << 16));
  const patternOf = new Int32Array(n).fill(-1);
  // pattern columns, grown by doubling (typed arrays: no per-pattern heap objects)
  let cap = 1024;
  let pX: Int32Array = new Int32Array(cap);
  let pR: Int32Array = new Int32Array(cap);
  let pA: Int32Array = new Int32Array(cap);
  let w = new Float64Array(cap);
  let size = 0;
  let customers = 0;
  for (let c = 0; c < n; c++) {
    if (include[c] === 0) continue;
    const xi = usedX[frequency[c]];
    const ri = usedDay[lastDay[c] - firstDay[c]];
    const ai = usedDay[cutoffDay - firstDay[c]];
    const p = patternIx.indexOf((xi * nt + ri) * nt + ai);
    if (p === size) {
      if (size === cap) {
        cap *= 2;
        pX = growInt(pX, cap);
        pR = growInt(pR, cap);
        pA = growInt(pA, cap);
        const w2 = new Float64Array(cap);
        w2.set(w);
        w = w2;
      }
      pX[p] = xi;
      pR[p] = ri;
      pA[p] = ai;
      size++;
    }
    w[p]++;
    customers++;
    patternOf[c] = p;
  }
  const xIndex = pX.slice(0, size);
  const recencyIndex = pR.slice(0, size);
  const ageIndex = pA.slice(0, size);
  const weight = w.slice(0, size);
  const freqOut = new Float64Array(size);
  const recOut = new Float64Array(size);
  const ageOut = new Float64Array(size);
  const xWeight = new Float64Array(nx);
  for (let p = 0; p < size; p++) {
    freqOut[p] = xValues[xIndex[p]];
    recOut[p] = times[recencyIndex[p]];
    ageOut[p] = times[ageIndex[p]];
    xWeight[xIndex[p]] += weight[p];
  }
  return {
    size,
    customers,
    frequency: freqOut,
    recency: recOut,
    age: ageOut,
    weight,
    xValues,
    xIndex,
    xWeight,
    times,
    recencyIndex,
    ageIndex,
    patternOf,
  };
}

function growInt(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
