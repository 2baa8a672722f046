/**
 * The single pure entry point of the analytics core: metrics, model fits, holdout check and
 * per-customer scores for one store's transactions, as of a given instant. Both
 * `comeback analyze` and the scheduled scoring job call it; it does no I/O and reads no clock.
 */
import { validationFailed } from '../kernel/errors.ts';
import { minorDigits } from '../kernel/money.ts';
import { DAY_MS, utcDay } from '../kernel/time.ts';
import type { TransactionColumns } from '../orders/formats/types.ts';
import { type BgNbdParams, fitBgNbd } from './bg-nbd.ts';
import {
  bgNbdConditionalExpectedPurchasesPatterns,
  bgNbdProbabilityAlivePatterns,
} from './bg-nbd-predict.ts';
import { type Cohort, cohortRetention } from './cohort-retention.ts';
import { discountedPurchases, UNITS_PER_MONTH } from './discounted-purchases.ts';
import type { FitOptions, ModelFit } from './fit-log-parameters.ts';
import { fitGammaGamma, type GammaGammaParams } from './gamma-gamma.ts';
import { type HoldoutTable, holdoutTable } from './holdout.ts';
import { classifyLifecycle, describeLifecycle, LIFECYCLE_STAGES, type LifecycleInput } from './lifecycle.ts';
import { type MonthlyRetention, monthlyRetention } from './monthly-retention.ts';
import { fitParetoNbd, type ParetoNbdParams } from './pareto-nbd.ts';
import {
  paretoNbdConditionalExpectedPurchasesPatterns,
  paretoNbdProbabilityAlivePatterns,
} from './pareto-nbd-predict.ts';
import { buildPurchaseHistory, type PurchaseHistory } from './purchase-history.ts';
import { type StoreIntervals, storeIntervals } from './purchase-intervals.ts';
import { type RepeatBusinessVerdict, repeatBusinessVerdict } from './repeat-business-verdict.ts';
import { compressRfmDays, type RfmPatterns } from './rfm-patterns.ts';
import { quintileScores, RFM_SEGMENTS, rfmSegment } from './rfm-scores.ts';
import { countPurchaseDays, type RfmSummary, summarizeRfm, type TimeUnit, UNIT_DAYS } from './rfm-summary.ts';
import { computeStoreMetrics, type StoreMetrics } from './store-metrics.ts';
import { type TimeToSecondPurchase, timeToSecondPurchase } from './time-to-second-purchase.ts';
import { type IntervalPrior, typicalIntervals } from './typical-interval.ts';

export type TransactionModel = 'bgnbd' | 'paretonbd';
export type ModelChoice = TransactionModel | 'auto';

export interface ScoreStoreOptions {
  /** The instant scores are computed for (epoch ms); purchases after its UTC day are ignored. */
  asOf: number;
  /** End of the calibration period (epoch ms, its UTC day included). Models are fitted up to it and
   * checked on the rest (the holdout); null or absent: fit on everything up to `asOf`, no holdout. */
  calibrationEnd?: number | null;
  timeUnit: TimeUnit;
  /** Horizon of expected purchases and predicted CLV, in time units. */
  horizon: number;
  /** Monthly discount rate of the CLV (lifetimes' default is 0.01). */
  discountRate: number;
  /** k of the sleeping rule: no purchase for more than k typical intervals (default 3). */
  sleepingFactor: number;
  /** Which model scores customers; all are fitted. `auto`: the lower holdout RMSE, else the higher LL. */
  model: ModelChoice;
  /** L2 penalty of the fits (lifetimes' penalizer_coef); default 0. */
  penalty?: number;
  /** t of the simple CLV, years (default 2). */
  lifetimeYears?: number;
  cacMinor?: number;
  retentionCostMinor?: number;
  /** Share of customers by spend who count as VIP (default 0.05). */
  vipShare?: number;
  /**
   * Fit Pareto/NBD too (default true). The service turns it off when BG/NBD scores customers: its
   * likelihood is far costlier, and on degenerate data (a store whose orders stopped long before
   * `asOf`) the fit can drift to huge shape parameters where each evaluation is slow.
   */
  fitParetoNbd?: boolean;
  /** Standard errors of the fits (a few extra likelihood evaluations); default true. */
  standardErrors?: boolean;
  onProgress?: (step: string) => void;
  /** A monotonic clock in ms (performance.now) to time the fits; pure code reads no clock itself. */
  timer?: () => number;
}

/** Per-customer results, columnar (row i is customer `customerIds[customerIndex[i]]`). */
export interface CustomerScores {
  count: number;
  customerIndex: Int32Array;
  /** x, t_x, T as of the as-of day, in the time unit; monetary = mean repeat-day spend (major units). */
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
  monetary: Float64Array;
  purchaseDays: Int32Array;
  orders: Int32Array;
  /** Net lifetime spend, major units. */
  totalSpend: Float64Array;
  firstPurchaseDay: Int32Array;
  lastPurchaseDay: Int32Array;
  daysSinceLastPurchase: Float64Array;
  /** Average days between purchase days, (last − first) / (purchase days − 1); NaN for one-time buyers. */
  meanIntervalDays: Float64Array;
  pAlive: Float64Array;
  /** Expected purchases in the next `horizon` time units. */
  expectedPurchases: Float64Array;
  /** Expected spend per future purchase (Gamma-Gamma), major units. */
  expectedSpend: Float64Array;
  /** Discounted expected spend over the horizon, major units. */
  predictedClv: Float64Array;
  /** Median time of the next purchase if still active (epoch ms). */
  nextPurchaseMs: Float64Array;
  rfmRecency: Uint8Array;
  rfmFrequency: Uint8Array;
  rfmMonetary: Uint8Array;
  /** Index into RFM_SEGMENTS. */
  segment: Uint8Array;
  /** Index into LIFECYCLE_STAGES. */
  stage: Uint8Array;
  vip: Uint8Array;
  sleeping: Uint8Array;
  typicalIntervalDays: Float64Array;
  /** The stage and sleeping reason of row i, in words. */
  describe: (i: number) => string;
}

export interface FitSummary<P extends Record<string, number>> {
  params: P;
  logLikelihood: number;
  standardErrors: P | null;
  customers: number;
  converged: boolean;
  iterations: number;
  method: string;
  /** Time the fit took (with options.timer), ms. */
  fitMs: number | null;
}

export interface StoreScores {
  summary: StoreMetrics & {
    currency: string;
    asOf: string;
    calibrationEnd: string | null;
    firstPurchase: string | null;
    timeUnit: TimeUnit;
    rowsRead: number;
    rowsUsed: number;
    rejectedRows: number;
    averageMonthlyRetentionRate: number;
    verdict: RepeatBusinessVerdict;
  };
  retention: { monthly: MonthlyRetention; cohorts: Cohort[] };
  intervals: {
    store: StoreIntervals;
    typicalIntervalPrior: (IntervalPrior & { storeTypicalDays: number }) | null;
    timeToSecondPurchase: TimeToSecondPurchase;
  };
  segments: {
    rfm: Record<string, number>;
    lifecycle: Record<string, number>;
    sleeping: number;
    sleepingFactor: number;
  };
  models: {
    bgnbd: FitSummary<BgNbdParams> | null;
    paretonbd: FitSummary<ParetoNbdParams> | null;
    gammaGamma: FitSummary<GammaGammaParams> | null;
    selected: TransactionModel;
    selectionReason: string;
    horizon: number;
    discountRate: number;
  };
  holdout: HoldoutTable | null;
  customers: CustomerScores;
}

const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

function summarizeFit<P extends Record<string, number>>(
  fit: ModelFit<P>,
  fitMs: number | null,
): FitSummary<P> {
  return {
    params: fit.params,
    logLikelihood: fit.logLikelihood,
    standardErrors: fit.standardErrors,
    customers: fit.customers,
    converged: fit.converged,
    iterations: fit.iterations,
    method: fit.method,
    fitMs,
  };
}

type Timed = <T>(run: () => T) => [T, number | null];

/** Times steps with the caller's timer (e.g. performance.now); without one, no times. */
function stepTimer(timer?: () => number): Timed {
  return <T>(run: () => T): [T, number | null] => {
    if (!timer) return [run(), null];
    const t0 = timer();
    const value = run();
    return [value, Math.round(timer() - t0)];
  };
}

/**
 * Scores a store: PRODUCT.md §2 metrics, BG/NBD, Pareto/NBD and Gamma-Gamma fits (on the
 * calibration period when one is given, with the holdout table), and per customer P(alive),
 * expected purchases, expected spend, predicted CLV, next purchase date, RFM segment, lifecycle
 * stage and the sleeping flag with its reason.
 *
 * Customers are scored as of `asOf` with the parameters fitted on the calibration period.
 * @example scoreStore(columns, { asOf: Date.UTC(1998, 5, 30), calibrationEnd: Date.UTC(1997, 8, 30),
 *   timeUnit: 'week', horizon: 52, discountRate: 0.01, sleepingFactor: 3, model: 'bgnbd' })
 */
export function scoreStore(columns: TransactionColumns, options: ScoreStoreOptions): StoreScores {
  const progress = options.onProgress ?? (() => {});
  const unit = options.timeUnit;
  const unitDays = UNIT_DAYS[unit];
  const digits = minorDigits(columns.currency);
  const asOfDay = utcDay(options.asOf);
  const calEndDay = options.calibrationEnd == null ? asOfDay : utcDay(options.calibrationEnd);
  if (!Number.isFinite(asOfDay) || !Number.isFinite(calEndDay) || calEndDay > asOfDay) {
    throw validationFailed('the calibration end must be on or before the as-of day', [
      { path: 'calibrationEnd', message: `${iso(calEndDay)} is after ${iso(asOfDay)}` },
    ]);
  }
  if (!(options.horizon > 0)) {
    throw validationFailed('the horizon must be positive', [
      { path: 'horizon', message: String(options.horizon) },
    ]);
  }
  const fitOptions = { penalty: options.penalty ?? 0, standardErrors: options.standardErrors ?? true };

  progress('grouping purchases by customer and day');
  const history = buildPurchaseHistory(columns);

  progress('building calibration summaries');
  const cal = summarizeRfm(history, calEndDay, unit, digits);
  const calPatterns = compressRfmDays(cal);

  const [bg, pn, ggFit, fitMs] = fitModels(
    cal,
    calPatterns,
    fitOptions,
    progress,
    options.fitParetoNbd !== false || options.model !== 'bgnbd',
    stepTimer(options.timer),
  );
  const [bgMs, pnMs, ggMs] = fitMs;
  const gg = ggFit && ggFit.customers >= 2 && ggFit.params.q > 1 ? ggFit : null;

  let holdout: HoldoutTable | null = null;
  if (calEndDay < asOfDay && calPatterns.customers > 0) {
    progress('checking the models on the holdout period');
    const length = (asOfDay - calEndDay) / unitDays;
    const actual = countPurchaseDays(history, calEndDay, asOfDay);
    const predicted: Record<string, Float64Array> = {};
    if (bg)
      predicted.bgnbd = scatter(
        calPatterns,
        expectedForPatterns('bgnbd', bg.params, calPatterns, length).expected,
      );
    if (pn)
      predicted.paretonbd = scatter(
        calPatterns,
        expectedForPatterns('paretonbd', pn.params, calPatterns, length).expected,
      );
    holdout = holdoutTable(cal.frequency, actual, predicted, length, cal.present);
  }

  const [selected, selectionReason] = selectModel(options.model, bg, pn, holdout);

  progress('scoring customers');
  const full = calEndDay === asOfDay ? cal : summarizeRfm(history, asOfDay, unit, digits);
  const fullPatterns = calEndDay === asOfDay ? calPatterns : compressRfmDays(full);
  let n = 0;
  for (let c = 0; c < history.customerCount; c++) n += full.present[c];
  const present = new Int32Array(n);
  for (let c = 0, i = 0; c < history.customerCount; c++) if (full.present[c]) present[i++] = c;
  const customerIndex = present;

  const fit = selected === 'bgnbd' ? bg : pn;
  let alivePattern: Float64Array = new Float64Array(fullPatterns.size).fill(Number.NaN);
  let expectedPattern: Float64Array = new Float64Array(fullPatterns.size).fill(Number.NaN);
  let discountedPattern: Float64Array = new Float64Array(fullPatterns.size).fill(Number.NaN);
  if (fit) {
    const scored = expectedForPatterns(
      selected,
      fit.params,
      fullPatterns,
      options.horizon,
      options.discountRate,
      unit,
    );
    alivePattern = scored.alive;
    expectedPattern = scored.expected;
    discountedPattern = scored.discounted;
  }

  const cols = customerColumns(history, full, present, asOfDay, digits);
  const pAlive = new Float64Array(n);
  const expectedPurchases = new Float64Array(n);
  const expectedSpend = new Float64Array(n);
  const predictedClv = new Float64Array(n);
  const nextPurchaseMs = new Float64Array(n);
  // median wait if still active: λ | alive ~ Gamma(r+x, α+T), P(no purchase in t) = ((α+T)/(α+T+t))^(r+x)
  const waitPattern = new Float64Array(fullPatterns.size).fill(Number.NaN);
  if (fit) {
    for (let p = 0; p < fullPatterns.size; p++) {
      const wait =
        (fit.params.alpha + fullPatterns.age[p]) *
        (2 ** (1 / (fit.params.r + fullPatterns.frequency[p])) - 1);
      waitPattern[p] = (asOfDay + wait * unitDays) * DAY_MS;
    }
  }
  const ggP = gg ? gg.params.p : 0;
  const ggQ = gg ? gg.params.q : 0;
  const ggV = gg ? gg.params.v : 0;
  for (let i = 0; i < n; i++) {
    const c = present[i];
    const p = fullPatterns.patternOf[c];
    pAlive[i] = alivePattern[p];
    expectedPurchases[i] = expectedPattern[p];
    const x = full.frequency[c];
    // Gamma-Gamma (note 025 eq. 5) p(v + x m̄)/(px + q − 1), parameters hoisted out of the loop
    expectedSpend[i] = gg
      ? (ggP * (ggV + x * full.monetary[c])) / (ggP * x + ggQ - 1)
      : cols.totalSpend[i] / Math.max(1, cols.orders[i]);
    predictedClv[i] = expectedSpend[i] * discountedPattern[p];
    nextPurchaseMs[i] = waitPattern[p];
  }

  progress('segments and lifecycle');
  const rfmRecency = quintileScores(cols.daysSinceLastPurchase, false);
  const rfmFrequency = quintileScores(new Float64Array(cols.purchaseDays), true);
  const rfmMonetary = quintileScores(cols.totalSpend, true);
  const segment = new Uint8Array(n);
  for (let i = 0; i < n; i++) segment[i] = rfmSegment(rfmRecency[i], rfmFrequency[i]);

  const typical = typicalIntervals(history, asOfDay);
  const secondPurchase = timeToSecondPurchase(history, asOfDay);
  const storeTypicalDays = typical.prior ? Math.exp(typical.prior.mu) : Number.NaN;
  const lifecycleInput: LifecycleInput = {
    daysSinceLast: cols.daysSinceLastPurchase,
    purchaseDays: cols.purchaseDays,
    typicalDays: gather(typical.days, present),
    storeTypicalDays,
    gaps: gatherInt(typical.gaps, present),
    secondPurchaseP50: secondPurchase.p50,
    secondPurchaseP90: secondPurchase.p90,
    secondPurchaseCount: secondPurchase.withSecond,
    totalSpend: cols.totalSpend,
  };
  const lifecycle = classifyLifecycle(lifecycleInput, {
    sleepingFactor: options.sleepingFactor,
    vipShare: options.vipShare,
  });

  progress('store metrics');
  const metrics = computeStoreMetrics(history, {
    asOfDay,
    minorDigits: digits,
    lifetimeYears: options.lifetimeYears,
    cacMinor: options.cacMinor,
    retentionCostMinor: options.retentionCostMinor,
  });
  const monthly = monthlyRetention(history, asOfDay);
  const segmentTally = new Int32Array(RFM_SEGMENTS.length);
  const stageTally = new Int32Array(LIFECYCLE_STAGES.length);
  let sleepingCount = 0;
  for (let i = 0; i < n; i++) {
    segmentTally[segment[i]]++;
    stageTally[lifecycle.stage[i]]++;
    sleepingCount += lifecycle.sleeping[i];
  }
  const rfmCounts: Record<string, number> = Object.fromEntries(
    RFM_SEGMENTS.map((s, k) => [s, segmentTally[k]]),
  );
  const stageCounts: Record<string, number> = Object.fromEntries(
    LIFECYCLE_STAGES.map((s, k) => [s, stageTally[k]]),
  );
  let firstDay = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) firstDay = Math.min(firstDay, cols.firstPurchaseDay[i]);

  return {
    summary: {
      ...metrics,
      currency: columns.currency,
      asOf: iso(asOfDay),
      calibrationEnd: options.calibrationEnd == null ? null : iso(calEndDay),
      firstPurchase: n > 0 ? iso(firstDay) : null,
      timeUnit: unit,
      rowsRead: columns.rowsRead,
      rowsUsed: history.rowCount,
      rejectedRows: columns.rejects.length,
      averageMonthlyRetentionRate: monthly.averageRate,
      verdict: repeatBusinessVerdict(history, asOfDay),
    },
    retention: { monthly, cohorts: cohortRetention(history, asOfDay) },
    intervals: {
      store: storeIntervals(history, asOfDay),
      typicalIntervalPrior: typical.prior ? { ...typical.prior, storeTypicalDays } : null,
      timeToSecondPurchase: secondPurchase,
    },
    segments: {
      rfm: rfmCounts,
      lifecycle: stageCounts,
      sleeping: sleepingCount,
      sleepingFactor: lifecycle.sleepingFactor,
    },
    models: {
      bgnbd: bg ? summarizeFit(bg, bgMs) : null,
      paretonbd: pn ? summarizeFit(pn, pnMs) : null,
      gammaGamma: gg ? summarizeFit(gg, ggMs) : null,
      selected,
      selectionReason,
      horizon: options.horizon,
      discountRate: options.discountRate,
    },
    holdout,
    customers: {
      count: n,
      customerIndex,
      ...cols,
      pAlive,
      expectedPurchases,
      expectedSpend,
      predictedClv,
      nextPurchaseMs,
      rfmRecency,
      rfmFrequency,
      rfmMonetary,
      segment,
      stage: lifecycle.stage,
      vip: lifecycle.vip,
      sleeping: lifecycle.sleeping,
      typicalIntervalDays: lifecycleInput.typicalDays,
      describe: (i) => describeLifecycle(lifecycleInput, lifecycle, i),
    },
  };
}

/** Fewer customers than this: the models are not fitted (their estimates would mean nothing). */
const MIN_CUSTOMERS_TO_FIT = 20;

/** Above this many customers the fits are warm-started from a fit on a 1-in-k subsample. */
const WARM_START_CUSTOMERS = 200_000;
const SUBSAMPLE_CUSTOMERS = 25_000;

/**
 * Fits BG/NBD, Pareto/NBD and Gamma-Gamma on the calibration summary. For large stores each
 * model is first fitted on every k-th customer (~25,000), and that estimate with its inverse
 * Hessian starts the full fit: L-BFGS then needs 3–6 iterations instead of ~20. Their standard
 * errors are the subsample's scaled by √(n_sub / n) (the information grows with n).
 */
function fitModels(
  cal: RfmSummary,
  patterns: RfmPatterns,
  options: FitOptions,
  progress: (step: string) => void,
  withPareto: boolean,
  timed: Timed,
): [
  ModelFit<BgNbdParams> | null,
  ModelFit<ParetoNbdParams> | null,
  ModelFit<GammaGammaParams> | null,
  Array<number | null>,
] {
  if (patterns.customers < MIN_CUSTOMERS_TO_FIT) return [null, null, null, [0, 0, 0]];
  let bgWarm: ModelFit<BgNbdParams> | null = null;
  let pnWarm: ModelFit<ParetoNbdParams> | null = null;
  let ggWarm: ModelFit<GammaGammaParams> | null = null;
  const warmMs: Array<number | null> = [0, 0, 0];
  if (patterns.customers > WARM_START_CUSTOMERS) {
    progress('fitting the models on a subsample');
    const stride = Math.ceil(patterns.customers / SUBSAMPLE_CUSTOMERS);
    const sub = new Uint8Array(cal.customerCount);
    for (let c = 0, seen = 0; c < cal.customerCount; c++) {
      if (cal.present[c] && seen++ % stride === 0) sub[c] = 1;
    }
    const subPatterns = compressRfmDays(cal, sub);
    const withSe = { ...options, standardErrors: true };
    [bgWarm, warmMs[0]] = timed(() => fitBgNbd(subPatterns, withSe));
    if (withPareto) {
      [pnWarm, warmMs[1]] = timed(() =>
        fitParetoNbd(subPatterns, {
          ...withSe,
          initial: { r: bgWarm!.params.r, alpha: bgWarm!.params.alpha },
        }),
      );
    }
    [ggWarm, warmMs[2]] = timed(() => fitGammaGamma(cal.frequency, cal.monetary, sub, withSe));
  }
  const warm = <P extends Record<string, number>>(fit: ModelFit<P> | null): FitOptions =>
    fit?.converged && fit.inverseHessian
      ? { ...options, initial: fit.params, initialInverseHessian: fit.inverseHessian, standardErrors: false }
      : options;
  const scaled = <P extends Record<string, number>>(
    fit: ModelFit<P>,
    from: ModelFit<P> | null,
  ): ModelFit<P> => {
    if (!from?.converged || !from.inverseHessian || fit.standardErrors) return fit;
    const k = Math.sqrt(from.customers / fit.customers);
    const se = from.standardErrors
      ? (Object.fromEntries(
          Object.entries(from.standardErrors).map(([name, v]) => [
            name,
            v * k * (fit.params[name] / from.params[name]),
          ]),
        ) as P)
      : null;
    return { ...fit, standardErrors: se };
  };
  progress('fitting BG/NBD');
  const [bgFull, bgMs] = timed(() => fitBgNbd(patterns, warm(bgWarm)));
  const bg = scaled(bgFull, bgWarm);
  let pn: ModelFit<ParetoNbdParams> | null = null;
  let pnMs: number | null = 0;
  if (withPareto) {
    progress('fitting Pareto/NBD');
    let pnFull: ModelFit<ParetoNbdParams>;
    [pnFull, pnMs] = timed(() =>
      fitParetoNbd(
        patterns,
        pnWarm?.converged
          ? warm(pnWarm)
          : { ...options, initial: bg.converged ? { r: bg.params.r, alpha: bg.params.alpha } : undefined },
      ),
    );
    pn = scaled(pnFull, pnWarm);
  }
  progress('fitting Gamma-Gamma');
  const [ggFull, ggMs] = timed(() => fitGammaGamma(cal.frequency, cal.monetary, cal.present, warm(ggWarm)));
  const gg = ggFull.customers > 0 ? scaled(ggFull, ggWarm) : null;
  const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  return [bg, pn, gg, [sum(bgMs, warmMs[0]), sum(pnMs, warmMs[1]), sum(ggMs, warmMs[2])]];
}

/** Per-pattern P(alive), E[Y(horizon)] and (optionally) the discounted purchases for the CLV. */
function expectedForPatterns(
  model: TransactionModel,
  params: Record<string, number>,
  patterns: RfmPatterns,
  horizon: number,
  discountRate?: number,
  unit?: TimeUnit,
): { alive: Float64Array; expected: Float64Array; discounted: Float64Array } {
  const alive =
    model === 'bgnbd'
      ? bgNbdProbabilityAlivePatterns(params as BgNbdParams, patterns)
      : paretoNbdProbabilityAlivePatterns(params as ParetoNbdParams, patterns);
  const expectedAt = (t: number) =>
    model === 'bgnbd'
      ? bgNbdConditionalExpectedPurchasesPatterns(params as BgNbdParams, patterns, t, alive)
      : paretoNbdConditionalExpectedPurchasesPatterns(params as ParetoNbdParams, patterns, t, alive);
  if (discountRate === undefined || unit === undefined) {
    return { alive, expected: expectedAt(horizon), discounted: new Float64Array(0) };
  }
  let expected: Float64Array | null = null;
  const discounted = discountedPurchases(
    (t) => {
      const e = expectedAt(t);
      if (t === horizon) expected = e;
      return e;
    },
    horizon,
    UNITS_PER_MONTH[unit],
    discountRate,
  );
  return { alive, expected: expected ?? expectedAt(horizon), discounted };
}

function gather(values: Float64Array, index: Int32Array): Float64Array {
  const out = new Float64Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = values[index[i]];
  return out;
}

function gatherInt(values: Int32Array, index: Int32Array): Int32Array {
  const out = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = values[index[i]];
  return out;
}

function scatter(patterns: RfmPatterns, perPattern: Float64Array): Float64Array {
  const out = new Float64Array(patterns.patternOf.length);
  for (let c = 0; c < out.length; c++) {
    const p = patterns.patternOf[c];
    out[c] = p >= 0 ? perPattern[p] : 0;
  }
  return out;
}

function selectModel(
  choice: ModelChoice,
  bg: ModelFit<BgNbdParams> | null,
  pn: ModelFit<ParetoNbdParams> | null,
  holdout: HoldoutTable | null,
): [TransactionModel, string] {
  if (!bg && !pn)
    return [
      choice === 'auto' ? 'bgnbd' : choice,
      `too few customers (under ${MIN_CUSTOMERS_TO_FIT}) to fit the models`,
    ];
  if (choice !== 'auto') return [choice, `chosen with --model ${choice}`];
  if (!pn) return ['bgnbd', 'Pareto/NBD could not be fitted'];
  if (!bg) return ['paretonbd', 'BG/NBD could not be fitted'];
  if (holdout?.errors.bgnbd && holdout.errors.paretonbd) {
    const eb = holdout.errors.bgnbd.rmse;
    const ep = holdout.errors.paretonbd.rmse;
    return eb <= ep
      ? ['bgnbd', `lower holdout RMSE per customer (${eb.toFixed(4)} vs ${ep.toFixed(4)} for Pareto/NBD)`]
      : ['paretonbd', `lower holdout RMSE per customer (${ep.toFixed(4)} vs ${eb.toFixed(4)} for BG/NBD)`];
  }
  return bg.logLikelihood >= pn.logLikelihood
    ? [
        'bgnbd',
        `higher log-likelihood (${bg.logLikelihood.toFixed(2)} vs ${pn.logLikelihood.toFixed(2)}); no holdout period`,
      ]
    : [
        'paretonbd',
        `higher log-likelihood (${pn.logLikelihood.toFixed(2)} vs ${bg.logLikelihood.toFixed(2)}); no holdout period`,
      ];
}

/** The plain per-customer columns (counts, spend, days) of the scored customers. */
function customerColumns(
  history: PurchaseHistory,
  full: ReturnType<typeof summarizeRfm>,
  present: Int32Array,
  asOfDay: number,
  digits: number,
) {
  const n = present.length;
  const scale = 10 ** -digits;
  const purchaseDays = new Int32Array(n);
  const orders = new Int32Array(n);
  const totalSpend = new Float64Array(n);
  const daysSinceLastPurchase = new Float64Array(n);
  const meanIntervalDays = new Float64Array(n);
  const frequency = new Float64Array(n);
  const recency = new Float64Array(n);
  const age = new Float64Array(n);
  const monetary = new Float64Array(n);
  const firstPurchaseDay = new Int32Array(n);
  const lastPurchaseDay = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = present[i];
    let spend = history.refundMinor[c];
    let count = 0;
    let days = 0;
    for (let k = history.start[c]; k < history.start[c + 1] && history.day[k] <= asOfDay; k++) {
      spend += history.spendMinor[k];
      count += history.orders[k];
      days++;
    }
    purchaseDays[i] = days;
    orders[i] = count;
    totalSpend[i] = spend * scale;
    frequency[i] = full.frequency[c];
    recency[i] = full.recency[c];
    age[i] = full.age[c];
    monetary[i] = full.monetary[c];
    firstPurchaseDay[i] = full.firstDay[c];
    lastPurchaseDay[i] = full.lastDay[c];
    daysSinceLastPurchase[i] = asOfDay - full.lastDay[c];
    meanIntervalDays[i] = days > 1 ? (full.lastDay[c] - full.firstDay[c]) / (days - 1) : Number.NaN;
  }
  return {
    frequency,
    recency,
    age,
    monetary,
    purchaseDays,
    orders,
    totalSpend,
    firstPurchaseDay,
    lastPurchaseDay,
    daysSinceLastPurchase,
    meanIntervalDays,
  };
}
