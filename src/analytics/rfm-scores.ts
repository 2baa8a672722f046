/** The named RFM segments, in report order. */
export const RFM_SEGMENTS = [
  'Champions',
  'Loyal',
  'Potential loyalist',
  'New',
  'Promising',
  'Need attention',
  'About to sleep',
  'At risk',
  "Can't lose",
  'Hibernating',
  'Lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/**
 * Segment by recency score R and frequency score F (1–5), the widely used R×F grid:
 * R 5, F 4–5 Champions; R 3–4, F 4–5 Loyal; R 4–5, F 2–3 Potential loyalist; R 5, F 1 New;
 * R 4, F 1 Promising; R 3, F 3 Need attention; R 3, F 1–2 About to sleep; R 1–2, F 3–4 At risk;
 * R 1–2, F 5 Can't lose; R 1–2, F 1–2 Hibernating, except R 1, F 1 Lost.
 * Returns the index into RFM_SEGMENTS.
 * @example RFM_SEGMENTS[rfmSegment(5, 5)] // 'Champions'
 */
export function rfmSegment(r: number, f: number): number {
  const seg = (name: RfmSegment) => RFM_SEGMENTS.indexOf(name);
  if (r >= 4) {
    if (f >= 4) return seg(r === 5 ? 'Champions' : 'Loyal');
    if (f >= 2) return seg('Potential loyalist');
    return seg(r === 5 ? 'New' : 'Promising');
  }
  if (r === 3) {
    if (f >= 4) return seg('Loyal');
    if (f === 3) return seg('Need attention');
    return seg('About to sleep');
  }
  if (f === 5) return seg("Can't lose");
  if (f >= 3) return seg('At risk');
  return seg(r === 1 && f === 1 ? 'Lost' : 'Hibernating');
}

/**
 * Quintile scores 1–5 with ties kept together: score = 1 + ⌊5 · (number of values strictly
 * worse) / n⌋, so equal values share a score and the best fifth gets 5. `higherIsBetter` false
 * for recency in days (fewer days since the last purchase is better).
 * @example quintileScores(Float64Array.of(1, 2, 3, 4, 5), true) // [1, 2, 3, 4, 5]
 */
export function quintileScores(values: Float64Array, higherIsBetter: boolean): Uint8Array {
  const n = values.length;
  const sorted = Float64Array.from(values, (v) => (higherIsBetter ? v : -v)).sort();
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = higherIsBetter ? values[i] : -values[i];
    // lower bound: count of values strictly below v
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = 1 + Math.floor((5 * lo) / n);
  }
  return out;
}
