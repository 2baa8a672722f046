import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from './minimize-lbfgs.ts';
import { minimizeNelderMead } from './minimize-nelder-mead.ts';
import { invertSymmetric, numericalHessian } from './numerical-hessian.ts';

function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

describe('minimizeLbfgs', () => {
  it('finds the Rosenbrock minimum (1, …, 1) in 2 and 6 dimensions', () => {
    for (const start of [
      [-1.2, 1],
      [-1, 2, -1, 0.5, 0, 1.5],
    ]) {
      const res = minimizeLbfgs(rosenbrock, start, { gradientTolerance: 1e-10 });
      expect(res.converged).toBe(true);
      for (const v of res.x) expect(Math.abs(v - 1)).toBeLessThan(1e-8);
    }
  });
  it('backs off from regions where the function is not finite', () => {
    // f = x − ln x has its minimum at 1 and is NaN for x ≤ 0; a big first step overshoots into NaN
    const res = minimizeLbfgs(
      (x, g) => {
        g[0] = 1 - 1 / x[0];
        return x[0] - Math.log(x[0]);
      },
      [30],
    );
    expect(Math.abs(res.x[0] - 1)).toBeLessThan(1e-8);
  });
});

describe('minimizeNelderMead', () => {
  it('finds the Rosenbrock minimum without derivatives', () => {
    const g = new Float64Array(2);
    const res = minimizeNelderMead((x) => rosenbrock(x, g), [-1.2, 1], { tolerance: 1e-16 });
    expect(Math.abs(res.x[0] - 1)).toBeLessThan(1e-6);
    expect(Math.abs(res.x[1] - 1)).toBeLessThan(1e-6);
  });
});

describe('numericalHessian and invertSymmetric', () => {
  it('recover the Hessian of a quadratic and its inverse', () => {
    // f = x² + xy + 2y²: H = [[2, 1], [1, 4]], H⁻¹ = [[4, −1], [−1, 2]] / 7
    const h = numericalHessian(
      (x, g) => {
        g[0] = 2 * x[0] + x[1];
        g[1] = x[0] + 4 * x[1];
        return x[0] ** 2 + x[0] * x[1] + 2 * x[1] ** 2;
      },
      [0.3, -0.2],
    );
    expect(h[0][0]).toBeCloseTo(2, 8);
    expect(h[0][1]).toBeCloseTo(1, 8);
    expect(h[1][1]).toBeCloseTo(4, 8);
    const inv = invertSymmetric(h)!;
    expect(inv[0][0]).toBeCloseTo(4 / 7, 8);
    expect(inv[0][1]).toBeCloseTo(-1 / 7, 8);
    expect(inv[1][1]).toBeCloseTo(2 / 7, 8);
    expect(
      invertSymmetric([
        [1, 2],
        [2, 1],
      ]),
    ).toBeNull();
  });
});
