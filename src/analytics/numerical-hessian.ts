import type { Objective } from './minimize-lbfgs.ts';

/**
 * The Hessian of f at x by forward differences of its analytic gradient,
 * Hᵢⱼ ≈ (∂ⱼf(x + hᵢeᵢ) − ∂ⱼf(x)) / hᵢ, symmetrised; hᵢ = 1e-5·max(1, |xᵢ|). Costs n + 1
 * gradient evaluations (relative error ~1e-5, plenty for standard errors); used for the
 * standard errors of the log-parameters.
 * @example numericalHessian((x, g) => { g[0] = 2 * x[0]; return x[0] ** 2; }, [1]) // [[2]]
 */
export function numericalHessian(f: Objective, x: ArrayLike<number>): number[][] {
  const n = x.length;
  const g0 = new Float64Array(n);
  const gPlus = new Float64Array(n);
  const point = Float64Array.from(x);
  f(point, g0);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const hi = 1e-5 * Math.max(1, Math.abs(x[i]));
    point[i] = x[i] + hi;
    f(point, gPlus);
    point[i] = x[i];
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push((gPlus[j] - g0[j]) / hi);
    rows.push(row);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const avg = 0.5 * (rows[i][j] + rows[j][i]);
      rows[i][j] = avg;
      rows[j][i] = avg;
    }
  }
  return rows;
}

/**
 * Inverse of a small symmetric positive-definite matrix by Cholesky; null when it is not
 * positive definite (then no standard errors are reported).
 * @example invertSymmetric([[4]]) // [[0.25]]
 */
export function invertSymmetric(m: number[][]): number[][] | null {
  const n = m.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  }
  const inv = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let col = 0; col < n; col++) {
    const z = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = i === col ? 1 : 0;
      for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
      z[i] = s / l[i][i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < n; k++) s -= l[k][i] * inv[k][col];
      inv[i][col] = s / l[i][i];
    }
  }
  return inv;
}
