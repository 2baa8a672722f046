import { logGamma } from './log-gamma.ts';

const MAX_TERMS = 2_000_000;
/** Where the series in z hands over to the 1 − z connection formula. */
const SERIES_LIMIT = 0.75;

/**
 * The Gauss hypergeometric function ₂F₁(a, b; c; z) = Σₙ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ for real
 * parameters and real z < 1 (c not a non-positive integer).
 *
 * - 0 ≤ z ≤ 0.75: the defining series, summed until a term no longer changes the sum;
 * - z < 0: Pfaff's transformation (A&S 15.3.5) ₂F₁(a,b;c;z) = (1−z)^(−a) ₂F₁(a, c−b; c; z/(z−1)),
 *   which maps z into [0, 1);
 * - 0.75 < z < 1: the connection formula to 1 − z (A&S 15.3.6) when c − a − b is not within
 *   1e-6 of an integer; otherwise the series (slow near 1, but exact), or, above z = 0.999, the
 *   mean of the formula at b ± 1e-5 (relative error ~1e-9).
 * A terminating series (a or b a non-positive integer) is summed directly for any z.
 *
 * @example hyp2f1(1, 1, 2, 0.5) // 2 ln 2 = 1.3862943611198906
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (z === 0) return 1;
  if (!(z < 1)) return z === 1 && c - a - b > 0 ? gaussAtOne(a, b, c) : Number.NaN;
  if (isNonPositiveInteger(a) || isNonPositiveInteger(b)) return series(a, b, c, z);
  if (z < 0) return (1 - z) ** -a * hyp2f1(a, c - b, c, z / (z - 1));
  if (z <= SERIES_LIMIT) return series(a, b, c, z);
  const d = c - a - b;
  if (Math.abs(d - Math.round(d)) > 1e-6) return connection(a, b, c, z);
  if (z <= 0.999) return series(a, b, c, z);
  const h = 1e-5;
  return 0.5 * (connection(a, b + h, c, z) + connection(a, b - h, c, z));
}

function isNonPositiveInteger(v: number): boolean {
  return v <= 0 && Number.isInteger(v);
}

/** The defining power series; stops when two successive terms are below 1e-17 of the sum. */
function series(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  let small = 0;
  for (let n = 0; n < MAX_TERMS; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (term === 0) return sum;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
      if (++small >= 2) return sum;
    } else small = 0;
  }
  return sum;
}

/** sign(Γ(x)) · exp(ln|Γ(x)|) split as [sign, log|Γ|]; sign 0 at the poles (1/Γ = 0). */
function signedLogGamma(x: number): [number, number] {
  if (x > 0) return [1, logGamma(x)];
  if (Number.isInteger(x)) return [0, Number.POSITIVE_INFINITY];
  return [Math.ceil(-x) % 2 === 1 ? -1 : 1, logGamma(x)];
}

/** Γ(p)Γ(q) / (Γ(r)Γ(s)) with signs; 0 when r or s is a pole. */
function gammaRatio(p: number, q: number, r: number, s: number): number {
  const [sp, lp] = signedLogGamma(p);
  const [sq, lq] = signedLogGamma(q);
  const [sr, lr] = signedLogGamma(r);
  const [ss, ls] = signedLogGamma(s);
  if (sr === 0 || ss === 0) return 0;
  return sp * sq * sr * ss * Math.exp(lp + lq - lr - ls);
}

/** A&S 15.3.6, valid for c − a − b not an integer. */
function connection(a: number, b: number, c: number, z: number): number {
  const d = c - a - b;
  const w = 1 - z;
  const first = gammaRatio(c, d, c - a, c - b);
  const second = gammaRatio(c, -d, a, b);
  const t1 = first === 0 ? 0 : first * series(a, b, 1 - d, w);
  const t2 = second === 0 ? 0 : second * w ** d * series(c - a, c - b, d + 1, w);
  return t1 + t2;
}

/** Gauss's theorem: ₂F₁(a,b;c;1) = Γ(c)Γ(c−a−b) / (Γ(c−a)Γ(c−b)) when c − a − b > 0. */
function gaussAtOne(a: number, b: number, c: number): number {
  return gammaRatio(c, c - a - b, c - a, c - b);
}
