// The analytics module's public face: pure numeric core (no I/O, no clock). Other modules use
// these names only.
export { type BgNbdParams, bgNbdLogLikelihood, fitBgNbd } from './bg-nbd.ts';
export {
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdProbabilityAlive,
} from './bg-nbd-predict.ts';
export { type Cohort, cohortRetention } from './cohort-retention.ts';
export { discountedPurchases, UNITS_PER_MONTH } from './discounted-purchases.ts';
export type { FitOptions, ModelFit } from './fit-log-parameters.ts';
export {
  fitGammaGamma,
  type GammaGammaParams,
  gammaGammaExpectedSpend,
  gammaGammaLogLikelihood,
} from './gamma-gamma.ts';
export { type HoldoutTable, holdoutTable } from './holdout.ts';
export { hyp2f1 } from './hypergeometric-2f1.ts';
export {
  classifyLifecycle,
  describeLifecycle,
  LIFECYCLE_REASONS,
  LIFECYCLE_STAGES,
  type LifecycleStage,
} from './lifecycle.ts';
export { logBeta } from './log-beta.ts';
export { logGamma } from './log-gamma.ts';
export { type MonthlyRetention, monthlyRetention } from './monthly-retention.ts';
export { fitParetoNbd, type ParetoNbdParams, paretoNbdLogLikelihood } from './pareto-nbd.ts';
export {
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdProbabilityAlive,
} from './pareto-nbd-predict.ts';
export { buildPurchaseHistory, type PurchaseHistory } from './purchase-history.ts';
export { customerMeanIntervals, storeIntervals } from './purchase-intervals.ts';
export { type RepeatBusinessVerdict, repeatBusinessVerdict } from './repeat-business-verdict.ts';
export { compressRfm, type RfmPatterns } from './rfm-patterns.ts';
export { quintileScores, RFM_SEGMENTS, type RfmSegment, rfmSegment } from './rfm-scores.ts';
export { countPurchaseDays, type RfmSummary, summarizeRfm, type TimeUnit, UNIT_DAYS } from './rfm-summary.ts';
export {
  type CustomerScores,
  type ModelChoice,
  type ScoreStoreOptions,
  type StoreScores,
  scoreStore,
  type TransactionModel,
} from './score-store.ts';
export { computeStoreMetrics, netLtv, type StoreMetrics } from './store-metrics.ts';
export { type TimeToSecondPurchase, timeToSecondPurchase } from './time-to-second-purchase.ts';
export { typicalIntervals } from './typical-interval.ts';
