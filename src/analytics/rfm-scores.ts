import { RFM_SEGMENTS, type RfmSegment } from './segment-names.ts';
import { selectQuantiles } from './select-quantile.ts';

export { RFM_SEGMENTS, type RfmSegment };

/**
 * Segment by recency score R and frequency score F (1–5), the widely used R×F grid:
 * R 5, F 4–5 Champions; R 3–4, F 4–5 Loyal; R 4–5, F 2–3 Potential loyalist; R 5, F 1 New;
 * R 4, F 1 Promising; R 3, F 3 Need attention; R 3, F 1–2 About to sleep; R 1–2, F 3–4 At risk;
 * R 1–2, F 5 Can't lose; R 1–2, F 1–2 Hibernating, except R 1, F 1 Lost.
 * Returns the index into RFM_SEGMENTS.
 * @example RFM_SEGMENTS[rfmSegment(5, 5)] // 'Champions'
 */
export function rfmSegment(r: number, f: number): number {
  return SEGMENT_GRID[(r - 1) * 5 + (f - 1)];
}

/** The grid above as a table: SEGMENT_GRID[(R − 1)·5 + (F − 1)] is the segment index. */
const SEGMENT_GRID = Int8Array.from({ length: 25 }, (_, i) => {
  const r = Math.floor(i / 5) + 1;
  const f = (i % 5) + 1;
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
});

/**
 * Quintile scores 1–5 with ties kept together: score = 1 + ⌊5 · (number of values strictly
 * worse) / n⌋, so equal values share a score and the best fifth gets 5. `higherIsBetter` false
 * for recency in days (fewer days since the last purchase is better).
 *
 * "At least m values strictly worse" means "better than the m-th worst value", so after one
 * sort the score is 1 + the number of thresholds sorted[⌈k·n/5⌉ − 1], k = 1…4, that a value beats.
 * @example quintileScores(Float64Array.of(1, 2, 3, 4, 5), true) // [1, 2, 3, 4, 5]
 */
export function quintileScores(values: Float64Array, higherIsBetter: boolean): Uint8Array {
  const n = values.length;
  const sign = higherIsBetter ? 1 : -1;
  const t = new Float64Array(4);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (let i = 0; i < n; i++) {
    const v = sign * values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (integers && !Number.isInteger(v)) integers = false;
  }
  if (n > 0 && integers && max - min <= 4 * n + 1024) {
    // days and counts: a counting pass finds the order statistics without sorting
    const counts = new Int32Array(max - min + 1);
    for (let i = 0; i < n; i++) counts[sign * values[i] - min]++;
    let k = 1;
    let seen = 0;
    for (let v = 0; v < counts.length && k <= 4; v++) {
      seen += counts[v];
      while (k <= 4 && seen >= Math.ceil((k * n) / 5)) t[k++ - 1] = v + min;
    }
  } else if (n > 0) {
    // the order statistics sorted[⌈k·n/5⌉ − 1] are the type-7 quantiles at (⌈k·n/5⌉ − 1)/(n − 1)
    const signed = new Float64Array(n);
    for (let i = 0; i < n; i++) signed[i] = sign * values[i];
    const ps = [1, 2, 3, 4].map((k) => (n > 1 ? (Math.ceil((k * n) / 5) - 1) / (n - 1) : 0));
    t.set(selectQuantiles(signed, ps));
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = sign * values[i];
    out[i] = 1 + (v > t[0] ? 1 : 0) + (v > t[1] ? 1 : 0) + (v > t[2] ? 1 : 0) + (v > t[3] ? 1 : 0);
  }
  return out;
}
