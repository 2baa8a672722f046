/**
 * BG/NBD predictions (Fader, Hardie & Lee 2005): P(alive), the unconditional and conditional
 * expected number of purchases. Per-pattern versions cache the ₂F₁ by distinct (x, T) — the
 * only costly term — so scoring 1M customers needs a few thousand ₂F₁ evaluations per horizon.
 */
import type { BgNbdParams } from './bg-nbd.ts';
import { hyp2f1 } from './hypergeometric-2f1.ts';
import type { RfmPatterns } from './rfm-patterns.ts';

/**
 * P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
 * (Fader, Hardie & Lee 2008, note 021 "Computing P(alive) using the BG/NBD model").
 * @example bgNbdProbabilityAlive({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 0, 0, 38.86) // 1
 */
export function bgNbdProbabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const d = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(d));
}

/**
 * E[X(t)] for a new customer (FHL 2005 eq. 9):
 * (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))].
 * @example bgNbdExpectedPurchases({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 39)
 */
export function bgNbdExpectedPurchases(params: BgNbdParams, t: number): number {
  return conditionalNumerator(params, 0, 0, t);
}

/**
 * E[Y(t) | x, t_x, T], the expected purchases in the next t time units (FHL 2005 eq. 10):
 * (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive).
 * @example bgNbdConditionalExpectedPurchases(params, 39, 2, 30.43, 38.86)
 */
export function bgNbdConditionalExpectedPurchases(
  params: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return conditionalNumerator(params, x, T, t) * bgNbdProbabilityAlive(params, x, tx, T);
}

/** (a+b+x−1)/(a−1)·[1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(…)], with a = 1 handled by symmetric perturbation. */
function conditionalNumerator(params: BgNbdParams, x: number, T: number, t: number): number {
  if (t <= 0) return 0;
  const { a } = params;
  if (Math.abs(a - 1) < 1e-7) {
    // removable singularity at a = 1: average the two sides
    const h = 1e-6;
    return (
      0.5 * (numeratorAt({ ...params, a: 1 + h }, x, T, t) + numeratorAt({ ...params, a: 1 - h }, x, T, t))
    );
  }
  return numeratorAt(params, x, T, t);
}

function numeratorAt(params: BgNbdParams, x: number, T: number, t: number): number {
  const { r, alpha, a, b } = params;
  const c = a + b + x - 1;
  const z = t / (alpha + T + t);
  const logTerm = (r + x) * Math.log((alpha + T) / (alpha + T + t)) + Math.log(hyp2f1(r + x, b + x, c, z));
  return (c / (a - 1)) * -Math.expm1(logTerm);
}

/**
 * P(alive) for every pattern.
 * @example bgNbdProbabilityAlivePatterns(params, patterns)[0]
 */
export function bgNbdProbabilityAlivePatterns(params: BgNbdParams, patterns: RfmPatterns): Float64Array {
  const out = new Float64Array(patterns.size);
  for (let i = 0; i < patterns.size; i++) {
    out[i] = bgNbdProbabilityAlive(params, patterns.frequency[i], patterns.recency[i], patterns.age[i]);
  }
  return out;
}

/**
 * E[Y(t) | x, t_x, T] for every pattern, the ₂F₁ part cached per distinct (x, T).
 * `alive` is the per-pattern P(alive) (computed if omitted).
 */
export function bgNbdConditionalExpectedPurchasesPatterns(
  params: BgNbdParams,
  patterns: RfmPatterns,
  t: number,
  alive: Float64Array = bgNbdProbabilityAlivePatterns(params, patterns),
): Float64Array {
  const out = new Float64Array(patterns.size);
  const nt = patterns.times.length;
  const cells = patterns.xValues.length * nt;
  // (x, T) → numerator: a dense table when small (the usual day grid), else a Map
  const table = cells <= 1 << 22 ? new Float64Array(cells).fill(Number.NaN) : null;
  const map = table ? null : new Map<number, number>();
  for (let i = 0; i < patterns.size; i++) {
    const key = patterns.xIndex[i] * nt + patterns.ageIndex[i];
    let num = table ? table[key] : (map!.get(key) ?? Number.NaN);
    if (Number.isNaN(num)) {
      num = conditionalNumerator(params, patterns.frequency[i], patterns.age[i], t);
      if (table) table[key] = num;
      else map!.set(key, num);
    }
    out[i] = num * alive[i];
  }
  return out;
}
