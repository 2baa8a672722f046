/**
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987) in the formulation of Fader & Hardie (2005,
 * "A Note on Deriving the Pareto/NBD Model and Related Expressions", eq. 18–22): while active a
 * customer buys at Poisson rate λ ~ Gamma(r, α) and drops out after an exponential lifetime
 * with rate μ ~ Gamma(s, β).
 *
 *   L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s·(H(t_x) − H(T)) ],
 *   H(t) = ∫_t^∞ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ = (m+t)^−(r+s+x) ₂F₁(…) / (r+s+x),
 *
 * i.e. their s/(r+s+x)·A₀ term written as one integral (see power-product-tail.ts).
 *
 * Where the time goes: the ₂F₁ series. H depends on (x, t) only, so it is evaluated once per
 * distinct (x, t_x) and (x, T) pair — a few thousand pairs even for 1M customers, since t
 * lives on a day grid — with its gradient from the same series; the per-pattern pass then costs
 * two exps and a log1p. An L-BFGS fit from the BG/NBD-informed start needs ~20–40 evaluations.
 */
import { digamma } from './digamma.ts';
import { type FitOptions, fitLogParameters, type ModelFit } from './fit-log-parameters.ts';
import { logGamma } from './log-gamma.ts';
import { logPowerProductTail } from './power-product-tail.ts';
import type { RfmPatterns } from './rfm-patterns.ts';

export interface ParetoNbdParams extends Record<string, number> {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

const tail = new Float64Array(5);

/**
 * ln of the "died between t_x and T" term, ln(s·(H(t_x) − H(T))), or −∞ when t_x = T.
 * Shared by the likelihood and P(alive).
 */
export function paretoNbdLogDeathTerm(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  if (!(T > tx)) return Number.NEGATIVE_INFINITY;
  const { r, alpha, s, beta } = params;
  logPowerProductTail(r + x, s + 1, alpha, beta, tx, tail);
  const h1 = tail[0];
  logPowerProductTail(r + x, s + 1, alpha, beta, T, tail);
  const h2 = tail[0];
  return Math.log(s) + h1 + Math.log(-Math.expm1(h2 - h1));
}

/**
 * One customer's Pareto/NBD log-likelihood (FH 2005 note eq. 18 with A₀ from eq. 19–20).
 * @example paretoNbdLogLikelihood({ r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 }, 2, 30.43, 38.86)
 */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = params;
  const a1 = logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
  const l2 = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const l3 = paretoNbdLogDeathTerm(params, x, tx, T);
  if (l3 === Number.NEGATIVE_INFINITY) return a1 + l2;
  return a1 + (l2 > l3 ? l2 + Math.log1p(Math.exp(l3 - l2)) : l3 + Math.log1p(Math.exp(l2 - l3)));
}

/**
 * Fits Pareto/NBD by maximum likelihood on compressed patterns. Default start r = 1, α = mean T,
 * s = 1, β = mean T; pass `initial` (e.g. r and α from BG/NBD) to save iterations.
 * @example fitParetoNbd(compressRfm(x, tx, T)).params
 */
export function fitParetoNbd(patterns: RfmPatterns, options: FitOptions = {}): ModelFit<ParetoNbdParams> {
  const nll = paretoNbdNegLogLikelihood(patterns);
  let meanAge = 0;
  for (let i = 0; i < patterns.size; i++) meanAge += patterns.age[i] * patterns.weight[i];
  meanAge = Math.max(meanAge / Math.max(1, patterns.customers), 1e-6);
  return fitLogParameters<ParetoNbdParams>(
    ['r', 'alpha', 's', 'beta'],
    [1, meanAge, 1, meanAge],
    patterns.customers,
    nll,
    options,
  );
}

/**
 * Total negative log-likelihood over patterns and its gradient in (r, α, s, β). H and its
 * gradient are computed per distinct (x, t) pair; each pattern then combines its (x, t_x) and
 * (x, T) pairs.
 */
export function paretoNbdNegLogLikelihood(
  patterns: RfmPatterns,
): (theta: Float64Array, grad: Float64Array) => number {
  const { size, xValues, xIndex, xWeight, times, recencyIndex, ageIndex, weight, frequency } = patterns;
  const nx = xValues.length;
  const nt = times.length;
  // distinct (x, t) pairs needed: (x, t_x) and (x, T) of patterns with t_x < T
  const pairIndex = new Map<number, number>();
  const pairX: number[] = [];
  const pairT: number[] = [];
  const recPair = new Int32Array(size).fill(-1);
  const agePair = new Int32Array(size).fill(-1);
  const pairOf = (k: number, j: number): number => {
    const key = k * nt + j;
    let p = pairIndex.get(key);
    if (p === undefined) {
      p = pairX.length;
      pairIndex.set(key, p);
      pairX.push(k);
      pairT.push(j);
    }
    return p;
  };
  for (let i = 0; i < size; i++) {
    if (times[recencyIndex[i]] < times[ageIndex[i]]) {
      recPair[i] = pairOf(xIndex[i], recencyIndex[i]);
      agePair[i] = pairOf(xIndex[i], ageIndex[i]);
    }
  }
  const np = pairX.length;
  const pairs = new Float64Array(np * 5);
  const logAT = new Float64Array(nt);
  const invAT = new Float64Array(nt);
  const logBT = new Float64Array(nt);
  const invBT = new Float64Array(nt);
  const out = new Float64Array(5);
  return (theta, grad) => {
    const r = theta[0];
    const alpha = theta[1];
    const s = theta[2];
    const beta = theta[3];
    for (let j = 0; j < nt; j++) {
      logAT[j] = Math.log(alpha + times[j]);
      invAT[j] = 1 / (alpha + times[j]);
      logBT[j] = Math.log(beta + times[j]);
      invBT[j] = 1 / (beta + times[j]);
    }
    for (let p = 0; p < np; p++) {
      logPowerProductTail(r + xValues[pairX[p]], s + 1, alpha, beta, times[pairT[p]], out);
      pairs.set(out, p * 5);
    }
    const logAlpha = Math.log(alpha);
    const logBeta = Math.log(beta);
    const lgR = logGamma(r);
    const psiR = digamma(r);
    let ll = 0;
    let gr = 0;
    let galpha = 0;
    let gs = 0;
    let gbeta = 0;
    for (let k = 0; k < nx; k++) {
      const w = xWeight[k];
      const x = xValues[k];
      ll += w * (logGamma(r + x) - lgR + r * logAlpha + s * logBeta);
      gr += w * (digamma(r + x) - psiR + logAlpha);
      galpha += (w * r) / alpha;
      gs += w * logBeta;
      gbeta += (w * s) / beta;
    }
    const logS = Math.log(s);
    const invS = 1 / s;
    for (let i = 0; i < size; i++) {
      const w = weight[i];
      const rx = r + frequency[i];
      const ia = ageIndex[i];
      const l2 = -rx * logAT[ia] - s * logBT[ia];
      const d2r = -logAT[ia];
      const d2alpha = -rx * invAT[ia];
      const d2s = -logBT[ia];
      const d2beta = -s * invBT[ia];
      const p1 = recPair[i];
      if (p1 < 0) {
        ll += w * l2;
        gr += w * d2r;
        galpha += w * d2alpha;
        gs += w * d2s;
        gbeta += w * d2beta;
        continue;
      }
      const o1 = p1 * 5;
      const o2 = agePair[i] * 5;
      const z1 = pairs[o1] - l2;
      if (z1 < 600) {
        // e^(l3−l2) = s·(E1 − E2), Eₖ = Hₖ / e^l2: three transcendental calls per pattern
        const e1 = Math.exp(z1);
        const e2 = Math.exp(pairs[o2] - l2);
        const ratio = s * (e1 - e2);
        const inv = 1 / (1 + ratio);
        ll += w * (l2 + Math.log1p(ratio));
        // w₂ = inv; w₃·∂ln(H1 − H2) = s·inv·(E1·∂lnH1 − E2·∂lnH2); w₃·∂ln s = ratio·inv / s
        const k = s * inv;
        gr += w * (inv * d2r + k * (e1 * pairs[o1 + 1] - e2 * pairs[o2 + 1]));
        gs += w * (inv * d2s + k * (e1 * pairs[o1 + 2] - e2 * pairs[o2 + 2]) + ratio * inv * invS);
        galpha += w * (inv * d2alpha + k * (e1 * pairs[o1 + 3] - e2 * pairs[o2 + 3]));
        gbeta += w * (inv * d2beta + k * (e1 * pairs[o1 + 4] - e2 * pairs[o2 + 4]));
        continue;
      }
      // H1 ≫ e^l2 (very large x): the same in log space
      const lq = pairs[o2] - pairs[o1];
      const q = Math.exp(lq);
      const oneMinusQ = -Math.expm1(lq);
      const l3 = logS + pairs[o1] + Math.log(oneMinusQ);
      const f = 1 / oneMinusQ;
      const d3r = (pairs[o1 + 1] - q * pairs[o2 + 1]) * f;
      const d3s = invS + (pairs[o1 + 2] - q * pairs[o2 + 2]) * f;
      const d3alpha = (pairs[o1 + 3] - q * pairs[o2 + 3]) * f;
      const d3beta = (pairs[o1 + 4] - q * pairs[o2 + 4]) * f;
      let w3: number;
      if (l2 > l3) {
        const e = Math.exp(l3 - l2);
        ll += w * (l2 + Math.log1p(e));
        w3 = e / (1 + e);
      } else {
        const e = Math.exp(l2 - l3);
        ll += w * (l3 + Math.log1p(e));
        w3 = 1 / (1 + e);
      }
      const w2 = 1 - w3;
      gr += w * (w2 * d2r + w3 * d3r);
      galpha += w * (w2 * d2alpha + w3 * d3alpha);
      gs += w * (w2 * d2s + w3 * d3s);
      gbeta += w * (w2 * d2beta + w3 * d3beta);
    }
    grad[0] = -gr;
    grad[1] = -galpha;
    grad[2] = -gs;
    grad[3] = -gbeta;
    return -ll;
  };
}
