/** f(x), writing ∇f(x) into `gradient`; may return NaN or ±Infinity outside its domain. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface MinimizeOptions {
  /** Stop when max |∂f/∂xᵢ| falls below this (default 1e-9). */
  gradientTolerance?: number;
  /** Stop when an iteration lowers f by less than this relative amount, twice in a row (default 1e-15). */
  functionTolerance?: number;
  maxIterations?: number;
  /** Number of correction pairs kept (default 8). */
  memory?: number;
  /** H₀, an estimate of the inverse Hessian at the start (e.g. from a fit on a subsample);
   * default γI with γ = sᵀy / yᵀy of the latest pair. */
  initialInverseHessian?: number[][];
}

export interface MinimizeResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

/**
 * Minimises a smooth function with L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed.:
 * two-loop recursion, Algorithm 7.4) and a strong-Wolfe line search (Algorithms 3.5–3.6, cubic
 * interpolation in the zoom, c₁ = 1e-4, c₂ = 0.9). Non-finite values make the line search
 * back off. The BTYD fits call it in log-parameter space with analytic gradients.
 * @example
 * minimizeLbfgs((x, g) => { g[0] = 2 * (x[0] - 3); return (x[0] - 3) ** 2; }, [0]).x[0] // 3
 */
export function minimizeLbfgs(
  f: Objective,
  x0: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = x0.length;
  const gtol = options.gradientTolerance ?? 1e-9;
  const ftol = options.functionTolerance ?? 1e-15;
  const maxIterations = options.maxIterations ?? 500;
  const memory = options.memory ?? 8;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let evaluations = 1;
  let fx = f(x, g);
  if (!Number.isFinite(fx)) {
    return {
      x,
      value: fx,
      gradient: g,
      iterations: 0,
      evaluations,
      converged: false,
      message: 'not finite at start',
    };
  }
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alphas = new Float64Array(memory);
  const xNew = new Float64Array(n);
  const h0 = options.initialInverseHessian;
  const tmp = new Float64Array(n);
  const gNew = new Float64Array(n);
  let smallDecreases = 0;
  let message = 'maximum iterations reached';
  let converged = false;
  let iter = 0;
  for (; iter < maxIterations; iter++) {
    if (maxAbs(g) <= gtol) {
      converged = true;
      message = 'gradient below tolerance';
      break;
    }
    // two-loop recursion: d = −H·g
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const k = sList.length;
    for (let j = k - 1; j >= 0; j--) {
      alphas[j] = rho[j] * dot(sList[j], d);
      axpy(-alphas[j], yList[j], d);
    }
    if (h0) {
      tmp.set(d);
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += h0[i][j] * tmp[j];
        d[i] = v;
      }
    } else if (k > 0) {
      const gamma = dot(sList[k - 1], yList[k - 1]) / dot(yList[k - 1], yList[k - 1]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const beta = rho[j] * dot(yList[j], d);
      axpy(alphas[j] - beta, sList[j], d);
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // not a descent direction: restart from steepest descent
      sList.length = 0;
      yList.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
    }
    const initialStep = k === 0 && !h0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const search = wolfeSearch(f, x, fx, d, slope, initialStep, xNew, gNew);
    evaluations += search.evaluations;
    if (search.step === 0) {
      // at the noise floor of f: no step lowers it measurably
      message = 'line search could not make progress';
      converged = maxAbs(g) <= Math.max(gtol * 1e3, 1e-6);
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-300) {
      if (sList.length === memory) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
    }
    const decrease = fx - search.value;
    x.set(xNew);
    g.set(gNew);
    fx = search.value;
    if (decrease <= ftol * Math.max(1, Math.abs(fx))) {
      if (++smallDecreases >= 2) {
        converged = true;
        message = 'relative decrease below tolerance';
        iter++;
        break;
      }
    } else smallDecreases = 0;
  }
  return { x, value: fx, gradient: g, iterations: iter, evaluations, converged, message };
}

interface SearchResult {
  step: number;
  value: number;
  evaluations: number;
}

/** Strong-Wolfe line search along d from x; on success xOut/gOut hold the new point. */
function wolfeSearch(
  f: Objective,
  x: Float64Array,
  f0: number,
  d: Float64Array,
  slope0: number,
  initialStep: number,
  xOut: Float64Array,
  gOut: Float64Array,
): SearchResult {
  const c1 = 1e-4;
  const c2 = 0.9;
  let evaluations = 0;
  const evalAt = (step: number): [number, number] => {
    for (let i = 0; i < x.length; i++) xOut[i] = x[i] + step * d[i];
    evaluations++;
    const value = f(xOut, gOut);
    return [value, dot(gOut, d)];
  };
  let prevStep = 0;
  let prevValue = f0;
  let prevSlope = slope0;
  let step = initialStep;
  for (let i = 0; i < 40; i++) {
    let [value, slope] = evalAt(step);
    // back off from non-finite regions (log-parameters far out)
    let backoffs = 0;
    while (!Number.isFinite(value) || !Number.isFinite(slope)) {
      if (++backoffs > 60) return { step: 0, value: f0, evaluations };
      step = prevStep + (step - prevStep) * 0.25;
      [value, slope] = evalAt(step);
    }
    if (value > f0 + c1 * step * slope0 || (i > 0 && value >= prevValue)) {
      return zoom(prevStep, prevValue, prevSlope, step, value, slope);
    }
    if (Math.abs(slope) <= -c2 * slope0) return { step, value, evaluations };
    if (slope >= 0) return zoom(step, value, slope, prevStep, prevValue, prevSlope);
    prevStep = step;
    prevValue = value;
    prevSlope = slope;
    step *= 2;
  }
  // accept the last point with a decrease
  return finish(prevStep);

  function finish(s: number): SearchResult {
    if (s === 0) return { step: 0, value: f0, evaluations };
    const [value] = evalAt(s);
    return { step: s, value, evaluations };
  }

  function zoom(lo: number, fLo: number, sLo: number, hi: number, fHi: number, sHi: number): SearchResult {
    for (let j = 0; j < 12; j++) {
      // both ends equal to rounding (a sum over many customers carries ~1e-13 relative noise):
      // f cannot tell them apart, stop
      if (Math.abs(fHi - fLo) <= 1e-13 * Math.max(1, Math.abs(f0)) && j > 0) break;
      let trial = cubicMinimizer(lo, fLo, sLo, hi, fHi, sHi);
      const width = Math.abs(hi - lo);
      const left = Math.min(lo, hi);
      if (!Number.isFinite(trial) || trial < left + 0.1 * width || trial > left + 0.9 * width) {
        trial = 0.5 * (lo + hi);
      }
      const [value, slope] = evalAt(trial);
      if (!Number.isFinite(value) || value > f0 + c1 * trial * slope0 || value >= fLo) {
        hi = trial;
        fHi = Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
        sHi = Number.isFinite(slope) ? slope : Number.NaN;
      } else {
        if (Math.abs(slope) <= -c2 * slope0) return { step: trial, value, evaluations };
        if (slope * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
          sHi = sLo;
        }
        lo = trial;
        fLo = value;
        sLo = slope;
      }
      if (Math.abs(hi - lo) < 1e-16 * Math.max(1, Math.abs(lo))) break;
    }
    // interval collapsed: take the best point found if it lowered f
    if (lo !== 0 && fLo < f0) return finish(lo);
    return { step: 0, value: f0, evaluations };
  }
}

/** Minimiser of the cubic through (a, fa, ga) and (b, fb, gb) (N&W eq. 3.59). */
function cubicMinimizer(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  if (!Number.isFinite(fb) || !Number.isFinite(gb)) return Number.NaN;
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  if (disc < 0) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (gb + d2 - d1)) / (gb - ga + 2 * d2);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(alpha: number, xv: Float64Array, yv: Float64Array): void {
  for (let i = 0; i < xv.length; i++) yv[i] += alpha * xv[i];
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}
