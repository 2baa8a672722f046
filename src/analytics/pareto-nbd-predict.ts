/**
 * Pareto/NBD predictions (Fader & Hardie 2005 note, section 5): P(alive) (eq. 36–37) and the
 * conditional expectation E[Y(t) | x, t_x, T] (eq. 41). The per-pattern P(alive) computes the
 * tail integral once per distinct (x, t) pair, as the likelihood does.
 */
import { type ParetoNbdParams, paretoNbdLogDeathTerm } from './pareto-nbd.ts';
import { logPowerProductTail } from './power-product-tail.ts';
import type { RfmPatterns } from './rfm-patterns.ts';

/**
 * P(alive | x, t_x, T) = 1 / (1 + s·(H(t_x) − H(T))·(α+T)^(r+x)(β+T)^s), i.e. the share of the
 * likelihood from "still alive at T".
 * @example paretoNbdProbabilityAlive({ r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 }, 2, 30.43, 38.86)
 */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = params;
  const l2 = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const l3 = paretoNbdLogDeathTerm(params, x, tx, T);
  return 1 / (1 + Math.exp(l3 - l2));
}

/**
 * E[Y(t) | x, t_x, T] = P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)]
 * (FH 2005 eq. 41; for s = 1 the bracket over (s−1) tends to ln((β+T+t)/(β+T))).
 * `alive` may pass a precomputed P(alive).
 * @example paretoNbdConditionalExpectedPurchases(params, 39, 2, 30.43, 38.86)
 */
export function paretoNbdConditionalExpectedPurchases(
  params: ParetoNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
  alive: number = paretoNbdProbabilityAlive(params, x, tx, T),
): number {
  if (t <= 0) return 0;
  const { r, alpha, s, beta } = params;
  const l = Math.log((beta + T + t) / (beta + T)); // > 0
  const sm1 = s - 1;
  // [1 − e^(−(s−1)l)] / (s−1), stable as s → 1
  const bracket = Math.abs(sm1 * l) < 1e-12 ? l : -Math.expm1(-sm1 * l) / sm1;
  return (alive * (r + x) * (beta + T) * bracket) / (alpha + T);
}

/**
 * E[X(t)] for a new customer (FH 2005 eq. 27): rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)].
 * @example paretoNbdExpectedPurchases(params, 39)
 */
export function paretoNbdExpectedPurchases(params: ParetoNbdParams, t: number): number {
  return paretoNbdConditionalExpectedPurchases(params, t, 0, 0, 0, 1);
}

/**
 * P(alive) for every pattern, with ln H cached per distinct (x, t) pair.
 * @example paretoNbdProbabilityAlivePatterns(params, patterns)
 */
export function paretoNbdProbabilityAlivePatterns(
  params: ParetoNbdParams,
  patterns: RfmPatterns,
): Float64Array {
  const { r, alpha, s, beta } = params;
  const nt = patterns.times.length;
  const cells = patterns.xValues.length * nt;
  const table = cells <= 1 << 22 ? new Float64Array(cells).fill(Number.NaN) : null;
  const map = table ? null : new Map<number, number>();
  const tail = new Float64Array(5);
  const logH = (xi: number, ti: number): number => {
    const key = xi * nt + ti;
    let v = table ? table[key] : (map!.get(key) ?? Number.NaN);
    if (Number.isNaN(v)) {
      logPowerProductTail(r + patterns.xValues[xi], s + 1, alpha, beta, patterns.times[ti], tail);
      v = tail[0];
      if (table) table[key] = v;
      else map!.set(key, v);
    }
    return v;
  };
  const out = new Float64Array(patterns.size);
  const logS = Math.log(s);
  for (let i = 0; i < patterns.size; i++) {
    const x = patterns.frequency[i];
    const T = patterns.age[i];
    if (!(T > patterns.recency[i])) {
      out[i] = 1;
      continue;
    }
    const l2 = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
    const h1 = logH(patterns.xIndex[i], patterns.recencyIndex[i]);
    const h2 = logH(patterns.xIndex[i], patterns.ageIndex[i]);
    const l3 = logS + h1 + Math.log(-Math.expm1(h2 - h1));
    out[i] = 1 / (1 + Math.exp(l3 - l2));
  }
  return out;
}

/** E[Y(t) | x, t_x, T] for every pattern given their P(alive). */
export function paretoNbdConditionalExpectedPurchasesPatterns(
  params: ParetoNbdParams,
  patterns: RfmPatterns,
  t: number,
  alive: Float64Array,
): Float64Array {
  const out = new Float64Array(patterns.size);
  for (let i = 0; i < patterns.size; i++) {
    out[i] = paretoNbdConditionalExpectedPurchases(
      params,
      t,
      patterns.frequency[i],
      patterns.recency[i],
      patterns.age[i],
      alive[i],
    );
  }
  return out;
}
