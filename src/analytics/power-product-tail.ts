/**
 * ln H and its gradient, where
 *
 *   H(p, q; α, β, t) = ∫_t^∞ (α+τ)^(−p) (β+τ)^(−q) dτ,   p, q > 0, p + q > 1, α, β > 0.
 *
 * This integral is the whole difficulty of the Pareto/NBD likelihood (Fader & Hardie 2005,
 * "A Note on Deriving the Pareto/NBD Model and Related Expressions", eq. 19–22): with
 * p = r + x and q = s + 1, s·(H(t_x) − H(T)) is the "died between t_x and T" term, and their
 * A₀ = (r+s+x)·(H(t_x) − H(T)). Factoring out the larger of α, β gives the closed form
 *
 *   H = (m+t)^(−a) / a · ₂F₁(a, e; a+1; y),  a = p+q−1,  m = max(α, β),  y = |α−β| / (m+t),
 *
 * with e = q when α ≥ β and e = p otherwise. The ₂F₁ is evaluated in Euler's form
 * ₂F₁(a, e; a+1; y) = (1−y)^(1−e) Σₙ (a+1−e)ₙ/(a+1)ₙ yⁿ, whose terms are all positive and fall
 * at least as fast as yⁿ; the same pass sums the derivatives in a, e and y. Near y = 1 (beyond
 * max(0.9, 1 − 1/a)) the integral ∫₀^y u^(a−1)(1−u)^(−e) du is split and the piece near 1 is
 * expanded in w = 1 − u, which stays exact when e is close to an integer (no Γ(1−e) poles).
 *
 * Writes out[0] = ln H, out[1] = ∂lnH/∂p, out[2] = ∂lnH/∂q, out[3] = ∂lnH/∂α, out[4] = ∂lnH/∂β.
 * @example
 * const out = new Float64Array(5);
 * logPowerProductTail(1, 1, 2, 2, 0, out); // ∫₀^∞ (2+τ)^−2 dτ = 1/2 → out[0] = −ln 2
 */
export function logPowerProductTail(
  p: number,
  q: number,
  alpha: number,
  beta: number,
  t: number,
  out: Float64Array,
): void {
  const a = p + q - 1;
  const alphaIsMax = alpha >= beta;
  const m = alphaIsMax ? alpha : beta;
  const e = alphaIsMax ? q : p;
  const mt = m + t;
  const y = Math.abs(alpha - beta) / mt;
  const split = Math.max(0.9, 1 - 1 / a);
  if (y > split) splitIntegral(a, e, y, split, scratch);
  else eulerSeries(a, e, y, scratch);
  const [logF, dLogFda, dLogFde, dLogFdy] = scratch;
  const logMt = Math.log(mt);
  out[0] = -a * logMt - Math.log(a) + logF;
  const dA = -logMt - 1 / a + dLogFda;
  out[1] = dA + (alphaIsMax ? 0 : dLogFde);
  out[2] = dA + (alphaIsMax ? dLogFde : 0);
  if (alphaIsMax) {
    // y = (α−β)/(α+t): ∂y/∂α = (β+t)/(α+t)², ∂y/∂β = −1/(α+t)
    out[3] = -a / mt + (dLogFdy * (beta + t)) / (mt * mt);
    out[4] = -dLogFdy / mt;
  } else {
    out[3] = -dLogFdy / mt;
    out[4] = -a / mt + (dLogFdy * (alpha + t)) / (mt * mt);
  }
}

const scratch = new Float64Array(4);

/**
 * ln F and ∂lnF/∂a, ∂lnF/∂e, ∂lnF/∂y for F = ₂F₁(a, e; a+1; y) = (1−y)^(1−e) E,
 * E = Σ hₙ yⁿ, hₙ = (a+1−e)ₙ / (a+1)ₙ.
 */
function eulerSeries(a: number, e: number, y: number, res: Float64Array): void {
  const g = a + 1 - e; // the other exponent, > 0
  let term = 1; // hₙ yⁿ
  let sum = 1;
  let sumA = 0; // Σ hₙ yⁿ ∂ln hₙ/∂a
  let sumE = 0;
  let sumY = 0; // Σ n hₙ yⁿ (÷ y later)
  let sa = 0;
  let se = 0;
  let n = 0;
  for (; n < MAX_TERMS; n++) {
    sa += 1 / (g + n) - 1 / (a + 1 + n);
    se -= 1 / (g + n);
    term *= (y * (g + n)) / (a + 1 + n);
    sum += term;
    sumA += term * sa;
    sumE += term * se;
    sumY += term * (n + 1);
    if (term <= 1e-17 * sum && term * (n + 1) <= 1e-17 * sumY) break;
  }
  if (n === MAX_TERMS) {
    // y within ~1e-4 of 1 with a huge a (a fit wandering to extreme parameters): the ratio of
    // successive terms has settled near y, so finish the sums as geometric series (approximate)
    const ratio = (y * (g + n)) / (a + 1 + n);
    const tail = (term * ratio) / (1 - ratio);
    sum += tail;
    sumA += tail * sa;
    sumE += tail * se;
    sumY += term * (((n + 1) * ratio) / (1 - ratio) + ratio / (1 - ratio) ** 2);
  }
  const log1my = Math.log1p(-y);
  res[0] = (1 - e) * log1my + Math.log(sum);
  res[1] = sumA / sum;
  res[2] = -log1my + sumE / sum;
  // d/dy ln[(1−y)^(1−e) E] = (e−1)/(1−y) + E'/E, with E' = Σ n hₙ y^(n−1)
  res[3] = (e - 1) / (1 - y) + (y > 0 ? sumY / (y * sum) : g / (a + 1));
}

const splitScratch = new Float64Array(4);

/** Terms of the Euler series before its tail is summed as a geometric series. */
const MAX_TERMS = 20_000;

/**
 * For y > y₁ = max(0.9, 1 − 1/a): F = a y^(−a) (J(y₁) + K), J(y₁) = ∫₀^y₁ u^(a−1)(1−u)^(−e) du
 * from the Euler series at y₁ and K = ∫_{1−y}^{1−y₁} (1−w)^(a−1) w^(−e) dw = Σ cₙ ∫ w^(n−e) dw
 * with cₙ = (1−a)ₙ/n! (binomial series; as 1 − y₁ ≤ 1/a, Σ|cₙ|(1−y₁)ⁿ ≤ e and the alternating
 * sum loses at most a digit).
 */
function splitIntegral(a: number, e: number, y: number, y1: number, res: Float64Array): void {
  const SPLIT = y1;
  eulerSeries(a, e, SPLIT, splitScratch);
  // J1 = y1^a F(y1) / a and its derivatives
  const logJ1 = a * Math.log(SPLIT) + splitScratch[0] - Math.log(a);
  const j1 = Math.exp(logJ1);
  const j1a = j1 * (Math.log(SPLIT) - 1 / a + splitScratch[1]);
  const j1e = j1 * splitScratch[2];
  const w0 = 1 - y;
  const l0 = Math.log(w0);
  const delta = Math.log(1 - SPLIT) - l0; // > 0
  let c = 1;
  let dc = 0;
  let k0 = 0;
  let ka = 0;
  let ke = 0;
  for (let n = 0; n < 400; n++) {
    const k = n + 1 - e;
    const w0k = Math.exp(k * l0);
    const kd = k * delta;
    let g: number; // expm1(kΔ)/k
    let gk: number; // d/dk of it
    if (Math.abs(kd) < 0.5) {
      // g = Σ_{j≥1} Δ^j k^(j−1)/j! and g' = Σ_{j≥2} (j−1) Δ^j k^(j−2)/j!, with uⱼ = Δ^j k^(j−2)/j!
      let u = (delta * delta) / 2;
      g = delta;
      gk = 0;
      for (let j = 2; j < 60; j++) {
        g += k * u;
        gk += (j - 1) * u;
        if ((j - 1) * Math.abs(u) < 1e-18 * (Math.abs(gk) + Math.abs(g))) break;
        u *= (delta * k) / (j + 1);
      }
    } else {
      const em1 = Math.expm1(kd);
      g = em1 / k;
      gk = (delta * (em1 + 1) * k - em1) / (k * k);
    }
    const integral = w0k * g;
    const dIntegral = l0 * integral + w0k * gk; // d/dk
    k0 += c * integral;
    ka += dc * integral;
    ke -= c * dIntegral;
    const nextC = (c * (n + 1 - a)) / (n + 1);
    dc = (dc * (n + 1 - a) - c) / (n + 1);
    c = nextC;
    if (
      n > 10 &&
      Math.abs(c * integral) < 1e-17 * Math.abs(k0) &&
      Math.abs(dc * integral) < 1e-17 * Math.abs(ka) + 1e-300
    )
      break;
  }
  const total = j1 + k0;
  const logF = Math.log(a) - a * Math.log(y) + Math.log(total);
  res[0] = logF;
  res[1] = 1 / a - Math.log(y) + (j1a + ka) / total;
  res[2] = (j1e + ke) / total;
  // dF/dy = (a/y)((1−y)^(−e) − F) → dlnF/dy
  res[3] = (a / y) * (Math.exp(-e * Math.log1p(-y) - logF) - 1);
}
