/** B_{2k} / (2k) for k = 1…7: the asymptotic series of ψ (A&S 6.3.18). */
const ASYMPTOTIC = [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12];

/**
 * The digamma function ψ(x) = d ln Γ(x) / dx for x > 0 (negative x by reflection,
 * ψ(1−x) − ψ(x) = π cot(πx)).
 *
 * Below 10 the recurrence ψ(x) = ψ(x+1) − 1/x moves the argument up; from 10 on the asymptotic
 * series ψ(x) ~ ln x − 1/(2x) − Σ B_{2k} / (2k x^{2k}) with 7 terms is accurate to ~1e-16.
 * @example digamma(1) // −0.5772156649015329 (−γ)
 */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) {
    if (Number.isInteger(x)) return Number.NaN;
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let shift = 0;
  let y = x;
  while (y < 10) {
    shift += 1 / y;
    y += 1;
  }
  const inv2 = 1 / (y * y);
  let series = 0;
  for (let k = ASYMPTOTIC.length - 1; k >= 0; k--) series = series * inv2 + ASYMPTOTIC[k];
  return Math.log(y) - 0.5 / y - series * inv2 - shift;
}
