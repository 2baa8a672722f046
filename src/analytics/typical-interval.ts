import type { PurchaseHistory } from './purchase-history.ts';

/** The store-level prior of the typical-interval estimator, on log-days. */
export interface IntervalPrior {
  /** μ: the store's mean log interval; exp(μ) is the store's typical interval in days. */
  mu: number;
  /** τ²: variance of customers' true log intervals around μ. */
  tau2: number;
  /** σ²: variance of one customer's log gaps around their own mean. */
  sigma2: number;
  /** Customers with at least one gap. */
  customers: number;
}

export interface TypicalIntervals {
  /** Shrunk typical interval per customer, days (the store's exp(μ) for one-time buyers; NaN if no prior). */
  days: Float64Array;
  /** Number of gaps each estimate rests on. */
  gaps: Int32Array;
  /** Weight of the customer's own gaps, n τ² / (n τ² + σ²), in [0, 1]. */
  ownWeight: Float64Array;
  prior: IntervalPrior | null;
}

/**
 * Each customer's typical interval between purchases, shrunk toward the store's for customers
 * with few orders: an empirical-Bayes (normal–normal) estimate on log gaps.
 *
 * With ℓᵢⱼ = ln(gap j of customer i in days), nᵢ gaps and mean ȳᵢ:
 *   σ² = Σᵢ Σⱼ (ℓᵢⱼ − ȳᵢ)² / Σᵢ (nᵢ − 1)          (pooled within-customer variance)
 *   τ² = max(Varᵢ(ȳᵢ) − meanᵢ(σ²/nᵢ), 0.01·σ²)      (method of moments, floored)
 *   μ  = Σᵢ wᵢ ȳᵢ / Σᵢ wᵢ,  wᵢ = 1 / (τ² + σ²/nᵢ)    (precision-weighted store mean)
 *   m̂ᵢ = μ + Bᵢ (ȳᵢ − μ),   Bᵢ = nᵢ τ² / (nᵢ τ² + σ²)
 * and the typical interval is exp(m̂ᵢ) days (a geometric mean: the median of a log-normal).
 * A customer with one gap leans on the store; one with twenty mostly on their own history.
 * @example typicalIntervals(history, asOfDay).days[c]
 */
export function typicalIntervals(history: PurchaseHistory, asOfDay: number): TypicalIntervals {
  const n = history.customerCount;
  const { start, day } = history;
  const gaps = new Int32Array(n);
  const meanLog = new Float64Array(n);
  let within = 0;
  let withinDf = 0;
  let withGaps = 0;
  // ln of gaps of 1…365 days, looked up instead of computed for each of millions of gaps
  const logDays = new Float64Array(366);
  for (let d = 1; d < logDays.length; d++) logDays[d] = Math.log(d);
  const logGap = (g: number) => (g < 366 ? logDays[g] : Math.log(g));
  for (let c = 0; c < n; c++) {
    let hi = start[c + 1];
    while (hi > start[c] && day[hi - 1] > asOfDay) hi--;
    const k = hi - start[c] - 1;
    if (k <= 0) continue;
    withGaps++;
    gaps[c] = k;
    let sum = 0;
    for (let i = start[c] + 1; i < hi; i++) sum += logGap(day[i] - day[i - 1]);
    const m = sum / k;
    meanLog[c] = m;
    if (k >= 2) {
      for (let i = start[c] + 1; i < hi; i++) within += (logGap(day[i] - day[i - 1]) - m) ** 2;
      withinDf += k - 1;
    }
  }
  const days = new Float64Array(n).fill(Number.NaN);
  const ownWeight = new Float64Array(n);
  if (withGaps === 0) return { days, gaps, ownWeight, prior: null };
  // between-customer moments of ȳ
  let meanY = 0;
  for (let c = 0; c < n; c++) if (gaps[c] > 0) meanY += meanLog[c];
  meanY /= withGaps;
  let varY = 0;
  for (let c = 0; c < n; c++) if (gaps[c] > 0) varY += (meanLog[c] - meanY) ** 2;
  varY = withGaps > 1 ? varY / (withGaps - 1) : 0;
  // without repeat gaps to measure σ², split the observed spread evenly
  const sigma2 = withinDf > 0 ? within / withinDf : Math.max(varY / 2, 1e-6);
  let noise = 0;
  for (let c = 0; c < n; c++) if (gaps[c] > 0) noise += sigma2 / gaps[c];
  noise /= withGaps;
  const tau2 = Math.max(varY - noise, 0.01 * sigma2, 1e-6);
  let wSum = 0;
  let wy = 0;
  for (let c = 0; c < n; c++) {
    if (gaps[c] === 0) continue;
    const w = 1 / (tau2 + sigma2 / gaps[c]);
    wSum += w;
    wy += w * meanLog[c];
  }
  const mu = wy / wSum;
  const storeDays = Math.exp(mu);
  for (let c = 0; c < n; c++) {
    const k = gaps[c];
    if (k === 0) {
      days[c] = storeDays;
      continue;
    }
    const b = (k * tau2) / (k * tau2 + sigma2);
    ownWeight[c] = b;
    days[c] = Math.exp(mu + b * (meanLog[c] - mu));
  }
  return { days, gaps, ownWeight, prior: { mu, tau2, sigma2, customers: withGaps } };
}
