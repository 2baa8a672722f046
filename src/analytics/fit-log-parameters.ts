import { type MinimizeResult, minimizeLbfgs, type Objective } from './minimize-lbfgs.ts';
import { minimizeNelderMead } from './minimize-nelder-mead.ts';
import { invertSymmetric, numericalHessian } from './numerical-hessian.ts';

/** A fitted model: maximum-likelihood parameters and how the fit went. */
export interface ModelFit<P extends Record<string, number>> {
  params: P;
  /** Total log-likelihood at the estimate (without the L2 penalty). */
  logLikelihood: number;
  /** Asymptotic standard errors (delta method from the log-space Hessian), or null. */
  standardErrors: P | null;
  /** Customers the model was fitted on. */
  customers: number;
  iterations: number;
  converged: boolean;
  method: 'lbfgs' | 'nelder-mead';
  message: string;
  /** Inverse Hessian of the mean −LL in log-parameters (with standard errors), to warm-start a fit
   * of the same model on more data. */
  inverseHessian: number[][] | null;
}

export interface FitOptions {
  /** L2 penalty λ·Σθ² added to the mean negative log-likelihood, as lifetimes' penalizer_coef. */
  penalty?: number;
  /** Compute standard errors (2n extra gradient evaluations). Default true. */
  standardErrors?: boolean;
  /** Starting point (natural scale); each model has a default. */
  initial?: Record<string, number>;
  /** Inverse Hessian of the mean −LL in log-parameters at `initial` (a subsample fit's
   * `inverseHessian`): L-BFGS then starts with Newton-like steps. */
  initialInverseHessian?: number[][] | null;
  maxIterations?: number;
}

/** How far (in log units) a parameter may move from its start: a factor of e^15 ≈ 3.3 million. */
const MAX_LOG_DISTANCE = 15;

/**
 * Maximises a log-likelihood over positive parameters by minimising the penalised mean negative
 * log-likelihood in log-parameter space, θ = exp(φ): L-BFGS with the model's analytic gradient,
 * falling back to a short Nelder–Mead run when L-BFGS does not converge. Parameters are kept within
 * a factor e^15 of the start (a model whose MLE runs off to infinity reports converged: false).
 * Standard errors
 * come from the inverse Hessian of the total negative log-likelihood in φ, scaled by θ (delta
 * method).
 *
 * `negLogLik(theta, gradTheta)` returns the total −LL at natural parameters and fills its
 * gradient in θ.
 * @example fitLogParameters(['p'], [1], 10, (t, g) => { g[0] = 10 / t[0] - 5; … }, {})
 */
export function fitLogParameters<P extends Record<string, number>>(
  names: readonly (keyof P & string)[],
  initial: readonly number[],
  customers: number,
  negLogLik: (theta: Float64Array, gradTheta: Float64Array) => number,
  options: FitOptions,
): ModelFit<P> {
  const k = names.length;
  const penalty = options.penalty ?? 0;
  const theta = new Float64Array(k);
  const gradTheta = new Float64Array(k);
  const weight = 1 / Math.max(1, customers);
  const start = initial.map((v, i) => Math.log(options.initial?.[names[i]] ?? v));
  const objective: Objective = (phi, grad) => {
    // stay within e^±15 of the start: degenerate data sends the MLE to infinity, where the
    // special functions get slow and the answer means nothing anyway
    for (let i = 0; i < k; i++)
      if (!(Math.abs(phi[i] - start[i]) <= MAX_LOG_DISTANCE)) return Number.POSITIVE_INFINITY;
    let pen = 0;
    for (let i = 0; i < k; i++) {
      theta[i] = Math.exp(phi[i]);
      pen += theta[i] * theta[i];
    }
    const value = negLogLik(theta, gradTheta) * weight + penalty * pen;
    for (let i = 0; i < k; i++) grad[i] = (gradTheta[i] * weight + 2 * penalty * theta[i]) * theta[i];
    return value;
  };
  let best: MinimizeResult = minimizeLbfgs(objective, start, {
    maxIterations: options.maxIterations ?? 1000,
    // on the mean −LL; 1e-9 pins the flattest CDNOW direction (log b) to ~1e-7
    gradientTolerance: 1e-9,
    functionTolerance: 1e-14,
    initialInverseHessian: options.initialInverseHessian ?? undefined,
  });
  let method: 'lbfgs' | 'nelder-mead' = 'lbfgs';
  if (!best.converged || !Number.isFinite(best.value)) {
    const g = new Float64Array(k);
    const nm = minimizeNelderMead((phi) => objective(phi, g), Number.isFinite(best.value) ? best.x : start, {
      tolerance: 1e-14,
      maxEvaluations: 300 * k,
    });
    if (!(nm.value >= best.value)) {
      // polish with L-BFGS from the simplex's best point
      const polished = minimizeLbfgs(objective, nm.x, { gradientTolerance: 1e-9, functionTolerance: 1e-14 });
      best =
        polished.value <= nm.value
          ? polished
          : { ...best, x: nm.x, value: nm.value, converged: nm.converged };
      method = 'nelder-mead';
    }
  }
  const params = {} as Record<string, number>;
  for (let i = 0; i < k; i++) params[names[i]] = Math.exp(best.x[i]);
  for (let i = 0; i < k; i++) theta[i] = Math.exp(best.x[i]);
  const logLikelihood = -negLogLik(theta, gradTheta);
  let standardErrors: P | null = null;
  let inverseHessian: number[][] | null = null;
  if (options.standardErrors !== false && Number.isFinite(logLikelihood)) {
    // Hessian of the total (unpenalised) −LL in φ
    const total: Objective = (phi, grad) => {
      for (let i = 0; i < k; i++) theta[i] = Math.exp(phi[i]);
      const v = negLogLik(theta, gradTheta);
      for (let i = 0; i < k; i++) grad[i] = gradTheta[i] * theta[i];
      return v;
    };
    const cov = invertSymmetric(numericalHessian(total, best.x));
    if (cov) {
      inverseHessian = cov.map((row) => row.map((v) => v * customers));
      const se = {} as Record<string, number>;
      for (let i = 0; i < k; i++) se[names[i]] = Math.exp(best.x[i]) * Math.sqrt(cov[i][i]);
      standardErrors = se as P;
    }
  }
  return {
    params: params as P,
    logLikelihood,
    standardErrors,
    customers,
    iterations: best.iterations,
    converged: best.converged,
    method,
    message: best.message,
    inverseHessian,
  };
}
