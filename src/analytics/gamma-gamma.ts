/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for
 * Customer Base Analysis", JMR 42; Hardie's note 025): a customer's transaction values are
 * Gamma(p, ν), ν ~ Gamma(q, γ) across customers (γ is called v here, as in lifetimes). Fitted on
 * customers with x > 0 repeat purchases and a positive mean repeat spend m̄.
 *
 * Where the time goes: one log per customer per evaluation (ln(x·m̄ + v)); ln Γ and ψ terms per
 * distinct x; ln m̄ and ln x are computed once.
 */
import { digamma } from './digamma.ts';
import { type FitOptions, fitLogParameters, type ModelFit } from './fit-log-parameters.ts';
import { FloatIndex } from './float-index.ts';
import { logGamma } from './log-gamma.ts';

export interface GammaGammaParams extends Record<string, number> {
  p: number;
  q: number;
  v: number;
}

/**
 * One customer's Gamma-Gamma log-likelihood of the mean spend m̄ over x transactions (note 025
 * eq. 1a, as in lifetimes): ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m̄ + px ln x
 * − (px+q) ln(x m̄ + v).
 * @example gammaGammaLogLikelihood({ p: 6.25, q: 3.74, v: 15.45 }, 2, 22.35)
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, x: number, m: number): number {
  const { p, q, v } = params;
  const px = p * x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(v) +
    (px - 1) * Math.log(m) +
    px * Math.log(x) -
    (px + q) * Math.log(x * m + v)
  );
}

/**
 * The conditional expectation of a customer's mean transaction value (note 025 eq. 5):
 * E[M | p, q, v, x, m̄] = p(v + x m̄) / (px + q − 1), a weighted mean of the population mean
 * pv/(q−1) and the customer's own m̄. For x = 0 it is the population mean.
 * @example gammaGammaExpectedSpend({ p: 6.248804, q: 3.744588, v: 15.44774 }, 2, 22.35) // ≈ 24.6586
 */
export function gammaGammaExpectedSpend(params: GammaGammaParams, x: number, m: number): number {
  const { p, q, v } = params;
  return (p * (v + x * m)) / (p * x + q - 1);
}

/**
 * Fits Gamma-Gamma on customers with frequency > 0 and monetary > 0 (others are skipped).
 * Default start p = 1, q = 1, v = 1 scaled to the mean spend.
 * @example fitGammaGamma(summary.frequency, summary.monetary).params
 */
export function fitGammaGamma(
  frequency: Float64Array,
  monetary: Float64Array,
  include?: Uint8Array,
  options: FitOptions = {},
): ModelFit<GammaGammaParams> {
  const n = frequency.length;
  let count = 0;
  for (let i = 0; i < n; i++) if (usable(i)) count++;
  const xs = new Float64Array(count);
  const ms = new Float64Array(count);
  let k = 0;
  let meanM = 0;
  for (let i = 0; i < n; i++) {
    if (!usable(i)) continue;
    xs[k] = frequency[i];
    ms[k] = monetary[i];
    meanM += monetary[i];
    k++;
  }
  meanM = count > 0 ? meanM / count : 1;
  const nll = gammaGammaNegLogLikelihood(xs, ms);
  return fitLogParameters<GammaGammaParams>(['p', 'q', 'v'], [1, 2, meanM], count, nll, options);

  function usable(i: number): boolean {
    return (!include || include[i] === 1) && frequency[i] > 0 && monetary[i] > 0;
  }
}

/** Total negative log-likelihood and gradient in (p, q, v) over customers (x > 0, m̄ > 0). */
export function gammaGammaNegLogLikelihood(
  xs: Float64Array,
  ms: Float64Array,
): (theta: Float64Array, grad: Float64Array) => number {
  const n = xs.length;
  // per-customer constants and the distinct x table
  const logM = new Float64Array(n);
  const logX = new Float64Array(n);
  const distinct = new FloatIndex(64);
  let xCount = new Float64Array(64);
  for (let i = 0; i < n; i++) {
    logM[i] = Math.log(ms[i]);
    logX[i] = Math.log(xs[i]);
    const k = distinct.indexOf(xs[i]);
    if (k >= xCount.length) {
      const bigger = new Float64Array(xCount.length * 2);
      bigger.set(xCount);
      xCount = bigger;
    }
    xCount[k]++;
  }
  const xValues = distinct.values.subarray(0, distinct.size);
  return (theta, grad) => {
    const p = theta[0];
    const q = theta[1];
    const v = theta[2];
    const logV = Math.log(v);
    const lgQ = logGamma(q);
    const psiQ = digamma(q);
    let ll = 0;
    let gp = 0;
    let gq = 0;
    let gv = 0;
    for (let k = 0; k < xValues.length; k++) {
      const x = xValues[k];
      const c = xCount[k];
      const psiPxq = digamma(p * x + q);
      ll += c * (logGamma(p * x + q) - logGamma(p * x) - lgQ + q * logV);
      gp += c * x * (psiPxq - digamma(p * x));
      gq += c * (psiPxq - psiQ + logV);
      gv += (c * q) / v;
    }
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      const px = p * x;
      const denom = x * ms[i] + v;
      const logDen = Math.log(denom);
      ll += (px - 1) * logM[i] + px * logX[i] - (px + q) * logDen;
      gp += x * (logM[i] + logX[i] - logDen);
      gq -= logDen;
      gv -= (px + q) / denom;
    }
    grad[0] = -gp;
    grad[1] = -gq;
    grad[2] = -gv;
    return -ll;
  };
}
