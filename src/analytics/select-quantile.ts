/**
 * The p-quantile of unsorted values (type 7, like quantileSorted) in expected linear time by
 * quickselect on a copy (Hoare's FIND), instead of sorting a million values for one quantile.
 * @example selectQuantile(Float64Array.of(5, 1, 4, 2, 3), 0.5) // 3
 */
export function selectQuantile(values: Float64Array, p: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const a = values.slice();
  const h = (n - 1) * Math.min(1, Math.max(0, p));
  const k = Math.floor(h);
  const lo = select(a, k);
  if (k + 1 >= n || h === k) return lo;
  // the next order statistic is the smallest value right of position k
  let hi = Number.POSITIVE_INFINITY;
  for (let i = k + 1; i < n; i++) if (a[i] < hi) hi = a[i];
  return lo + (h - k) * (hi - lo);
}

/**
 * Several quantiles (type 7) of unsorted values at once by successive quickselects on one copy:
 * each selection leaves the smaller values to its left, so the next one searches only the rest.
 * @example selectQuantiles(Float64Array.of(5, 1, 4, 2, 3), [0.25, 0.75]) // [2, 4]
 */
export function selectQuantiles(values: Float64Array, ps: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return ps.map(() => Number.NaN);
  const counted = countingQuantiles(values, ps);
  if (counted) return counted;
  const a = values.slice();
  const order = ps.map((p, i) => [Math.min(1, Math.max(0, p)), i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(ps.length);
  let left = 0;
  for (const [p, i] of order) {
    const h = (n - 1) * p;
    const k = Math.floor(h);
    const lo = select(a, k, left);
    left = k;
    let hi = lo;
    if (k + 1 < n && h > k) {
      hi = Number.POSITIVE_INFINITY;
      for (let j = k + 1; j < n; j++) if (a[j] < hi) hi = a[j];
    }
    out[i] = lo + (h - k) * (hi - lo);
  }
  return out;
}

/** Rearranges a[from…] so that a[k] is the k-th smallest, smaller ones left, larger ones right. */
function select(a: Float64Array, k: number, from = 0): number {
  let left = from;
  let right = a.length - 1;
  while (left < right) {
    const pivot = a[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k];
}

/**
 * Quantiles of whole numbers in a small range (days, counts) by one counting pass; null when
 * the values are not such numbers.
 */
function countingQuantiles(values: Float64Array, ps: readonly number[]): number[] | null {
  const n = values.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) return null;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max - min > 4 * n + 1024) return null;
  const counts = new Int32Array(max - min + 1);
  for (let i = 0; i < n; i++) counts[values[i] - min]++;
  // the k-th smallest (0-based) for every k needed, by walking the cumulative counts once
  const needed = new Set<number>();
  const plan = ps.map((p) => {
    const h = (n - 1) * Math.min(1, Math.max(0, p));
    const k = Math.floor(h);
    needed.add(k);
    if (k + 1 < n) needed.add(k + 1);
    return [h, k] as const;
  });
  const ks = [...needed].sort((a, b) => a - b);
  const stat = new Map<number, number>();
  let seen = 0;
  let j = 0;
  for (let v = 0; v < counts.length && j < ks.length; v++) {
    seen += counts[v];
    while (j < ks.length && ks[j] < seen) stat.set(ks[j++], v + min);
  }
  return plan.map(([h, k]) => {
    const lo = stat.get(k)!;
    return k + 1 < n && h > k ? lo + (h - k) * (stat.get(k + 1)! - lo) : lo;
  });
}
