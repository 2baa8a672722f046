export interface NelderMeadOptions {
  maxEvaluations?: number;
  /** Stop when the simplex's values and points agree to this (default 1e-12). */
  tolerance?: number;
  /** Initial simplex edge (default 0.1, in the units of x: a log-parameter moves by 10 %). */
  step?: number;
}

/**
 * Derivative-free minimisation by the Nelder–Mead simplex (Lagarias et al. 1998, standard
 * coefficients ρ = 1, χ = 2, γ = ½, σ = ½). The fallback when a gradient-based fit fails;
 * non-finite values count as +∞.
 * @example minimizeNelderMead((x) => (x[0] - 1) ** 2 + (x[1] + 2) ** 2, [0, 0]).x // ≈ [1, −2]
 */
export function minimizeNelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions = {},
): { x: Float64Array; value: number; evaluations: number; converged: boolean } {
  const n = x0.length;
  const maxEvaluations = options.maxEvaluations ?? 4000 * n;
  const tol = options.tolerance ?? 1e-12;
  const step = options.step ?? 0.1;
  const safe = (x: Float64Array): number => {
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const points: Float64Array[] = [];
  const values: number[] = [];
  for (let i = 0; i <= n; i++) {
    const p = Float64Array.from(x0);
    if (i > 0) p[i - 1] += step;
    points.push(p);
    values.push(safe(p));
  }
  let evaluations = n + 1;
  const centroid = new Float64Array(n);
  const along = (coef: number): Float64Array => {
    const p = new Float64Array(n);
    for (let j = 0; j < n; j++) p[j] = centroid[j] + coef * (points[n][j] - centroid[j]);
    return p;
  };
  let converged = false;
  while (evaluations < maxEvaluations) {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    const sortedPoints = order.map(([, i]) => points[i]);
    const sortedValues = order.map(([v]) => v);
    points.splice(0, points.length, ...sortedPoints);
    values.splice(0, values.length, ...sortedValues);
    let spread = 0;
    for (let i = 1; i <= n; i++) {
      for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(points[i][j] - points[0][j]));
    }
    if (
      Math.abs(values[n] - values[0]) <= tol * Math.max(1, Math.abs(values[0])) &&
      spread <= Math.sqrt(tol)
    ) {
      converged = true;
      break;
    }
    centroid.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += points[i][j] / n;
    const reflected = along(-1);
    const fr = safe(reflected);
    evaluations++;
    if (fr < values[0]) {
      const expanded = along(-2);
      const fe = safe(expanded);
      evaluations++;
      if (fe < fr) replaceWorst(expanded, fe);
      else replaceWorst(reflected, fr);
    } else if (fr < values[n - 1]) {
      replaceWorst(reflected, fr);
    } else {
      const outside = fr < values[n];
      const contracted = along(outside ? -0.5 : 0.5);
      const fc = safe(contracted);
      evaluations++;
      if (fc < (outside ? fr : values[n])) replaceWorst(contracted, fc);
      else {
        for (let i = 1; i <= n; i++) {
          for (let j = 0; j < n; j++) points[i][j] = points[0][j] + 0.5 * (points[i][j] - points[0][j]);
          values[i] = safe(points[i]);
        }
        evaluations += n;
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (values[i] < values[best]) best = i;
  return { x: points[best], value: values[best], evaluations, converged };

  function replaceWorst(p: Float64Array, v: number): void {
    points[n] = p;
    values[n] = v;
  }
}
