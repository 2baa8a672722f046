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
  const timeSet = new Set<number>();
  const xSet = new Set<number>();
  for (let c = 0; c < n; c++) {
    if (include && include[c] === 0) continue;
    timeSet.add(recency[c]);
    timeSet.add(age[c]);
    xSet.add(frequency[c]);
  }
  const times = Float64Array.from(timeSet).sort();
  const xValues = Float64Array.from(xSet).sort();
  const timeIdx = new Map<number, number>();
  for (let i = 0; i < times.length; i++) timeIdx.set(times[i], i);
  const xIdx = new Map<number, number>();
  for (let i = 0; i < xValues.length; i++) xIdx.set(xValues[i], i);
  const nt = times.length;
  const useNumericKey = xValues.length * nt * nt < Number.MAX_SAFE_INTEGER;
  const patternIdx = new Map<number | string, number>();
  const patternOf = new Int32Array(n).fill(-1);
  const pX = new Int32Array(n);
  const pR = new Int32Array(n);
  const pA = new Int32Array(n);
  const w = new Float64Array(n);
  let size = 0;
  let customers = 0;
  for (let c = 0; c < n; c++) {
    if (include && include[c] === 0) continue;
    const xi = xIdx.get(frequency[c])!;
    const ri = timeIdx.get(recency[c])!;
    const ai = timeIdx.get(age[c])!;
    const key = useNumericKey ? (xi * nt + ri) * nt + ai : `${xi},${ri},${ai}`;
    let p = patternIdx.get(key);
    if (p === undefined) {
      p = size++;
      patternIdx.set(key, p);
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
