import { LIFECYCLE_STAGES, type LifecycleStage } from './segment-names.ts';
import { selectQuantile } from './select-quantile.ts';

/** Lifecycle stages (PRODUCT.md §3), in report order. */
export { LIFECYCLE_STAGES, type LifecycleStage };

/** Why a customer is in their stage; the text comes from describeLifecycle. */
export const LIFECYCLE_REASONS = [
  'repeat-active',
  'repeat-at-risk',
  'repeat-sleeping',
  'repeat-lost',
  'one-time-new',
  'one-time-at-risk',
  'one-time-sleeping',
  'one-time-lost',
  'one-time-unjudged',
] as const;

const STAGE_NEW = LIFECYCLE_STAGES.indexOf('new');
const STAGE_ACTIVE = LIFECYCLE_STAGES.indexOf('active');
const STAGE_AT_RISK = LIFECYCLE_STAGES.indexOf('at_risk');
const STAGE_SLEEPING = LIFECYCLE_STAGES.indexOf('sleeping');
const STAGE_LOST = LIFECYCLE_STAGES.indexOf('lost');
const STAGE_VIP = LIFECYCLE_STAGES.indexOf('vip');
const REASON_REPEAT_ACTIVE = LIFECYCLE_REASONS.indexOf('repeat-active');
const REASON_REPEAT_AT_RISK = LIFECYCLE_REASONS.indexOf('repeat-at-risk');
const REASON_REPEAT_SLEEPING = LIFECYCLE_REASONS.indexOf('repeat-sleeping');
const REASON_REPEAT_LOST = LIFECYCLE_REASONS.indexOf('repeat-lost');
const REASON_ONE_TIME_NEW = LIFECYCLE_REASONS.indexOf('one-time-new');
const REASON_ONE_TIME_AT_RISK = LIFECYCLE_REASONS.indexOf('one-time-at-risk');
const REASON_ONE_TIME_SLEEPING = LIFECYCLE_REASONS.indexOf('one-time-sleeping');
const REASON_ONE_TIME_LOST = LIFECYCLE_REASONS.indexOf('one-time-lost');
const REASON_ONE_TIME_UNJUDGED = LIFECYCLE_REASONS.indexOf('one-time-unjudged');

export interface LifecycleInput {
  /** Days since the last purchase day, as of the as-of day. */
  daysSinceLast: Float64Array;
  /** Purchase days per customer (1 = one-time buyer). */
  purchaseDays: Int32Array;
  /** Typical interval per customer, days (see typicalIntervals). */
  typicalDays: Float64Array;
  /** The store's typical interval exp(μ), days, for the reason text. */
  storeTypicalDays: number;
  /** Gaps behind each customer's typical interval. */
  gaps: Int32Array;
  /** Median and 90th percentile of the store's time to a second purchase, days (NaN when unknown). */
  secondPurchaseP50: number;
  secondPurchaseP90: number;
  /** Customers with a second purchase, behind those percentiles. */
  secondPurchaseCount: number;
  /** Lifetime spend per customer, for VIP. */
  totalSpend: Float64Array;
}

export interface LifecycleOptions {
  /** k: sleeping after more than k typical intervals without a purchase (default 3). */
  sleepingFactor?: number;
  /** At risk after more than this many intervals (default k / 2). */
  atRiskFactor?: number;
  /** Lost after more than this many intervals (default 2k); one-time buyers after 2 × the 90th percentile. */
  lostFactor?: number;
  /** VIP: the top share of customers by lifetime spend (default 0.05) who are active or new. */
  vipShare?: number;
  /** Fewer second purchases than this in the store: one-time buyers are not judged (default 20). */
  minSecondPurchases?: number;
}

export interface Lifecycle {
  stage: Uint8Array;
  /** 1 when sleeping by the rule (more than k typical intervals; lost customers are sleeping too). */
  sleeping: Uint8Array;
  reason: Uint8Array;
  vip: Uint8Array;
  sleepingFactor: number;
  atRiskFactor: number;
  lostFactor: number;
  vipSpendThreshold: number;
}

/**
 * Lifecycle stage and the sleeping flag per customer, each with a reason code.
 *
 * Repeat customers (two or more purchase days) are judged against their own typical interval I
 * (shrunk toward the store's, see typicalIntervals): with g days since the last purchase,
 * active while g ≤ (k/2)·I, at risk up to k·I, sleeping beyond k·I (PRODUCT.md: "no purchase
 * for more than 3 such intervals"), lost beyond 2k·I. One-time buyers have no interval of their
 * own and are judged against the store's time to a second purchase: new up to its median,
 * at risk up to its 90th percentile, sleeping beyond it, lost beyond twice it. VIP replaces
 * "active"/"new" for the top 5 % by lifetime spend.
 * @example classifyLifecycle(input).stage[c] // index into LIFECYCLE_STAGES
 */
export function classifyLifecycle(input: LifecycleInput, options: LifecycleOptions = {}): Lifecycle {
  const k = options.sleepingFactor ?? 3;
  const atRiskFactor = options.atRiskFactor ?? k / 2;
  const lostFactor = options.lostFactor ?? 2 * k;
  const vipShare = options.vipShare ?? 0.05;
  const minSecond = options.minSecondPurchases ?? 20;
  const n = input.daysSinceLast.length;
  const stage = new Uint8Array(n);
  const sleeping = new Uint8Array(n);
  const reason = new Uint8Array(n);
  const vip = new Uint8Array(n);
  const vipSpendThreshold = n > 0 ? selectQuantile(input.totalSpend, 1 - vipShare) : Number.POSITIVE_INFINITY;
  const judgeOneTime =
    input.secondPurchaseCount >= minSecond &&
    Number.isFinite(input.secondPurchaseP50) &&
    Number.isFinite(input.secondPurchaseP90);
  for (let c = 0; c < n; c++) {
    const g = input.daysSinceLast[c];
    if (input.purchaseDays[c] >= 2) {
      const ratio = g / input.typicalDays[c];
      if (ratio > lostFactor) {
        stage[c] = STAGE_LOST;
        reason[c] = REASON_REPEAT_LOST;
      } else if (ratio > k) {
        stage[c] = STAGE_SLEEPING;
        reason[c] = REASON_REPEAT_SLEEPING;
      } else if (ratio > atRiskFactor) {
        stage[c] = STAGE_AT_RISK;
        reason[c] = REASON_REPEAT_AT_RISK;
      } else {
        stage[c] = STAGE_ACTIVE;
        reason[c] = REASON_REPEAT_ACTIVE;
      }
      if (ratio > k) sleeping[c] = 1;
    } else if (!judgeOneTime) {
      stage[c] = STAGE_NEW;
      reason[c] = REASON_ONE_TIME_UNJUDGED;
    } else if (g > 2 * input.secondPurchaseP90) {
      stage[c] = STAGE_LOST;
      reason[c] = REASON_ONE_TIME_LOST;
      sleeping[c] = 1;
    } else if (g > input.secondPurchaseP90) {
      stage[c] = STAGE_SLEEPING;
      reason[c] = REASON_ONE_TIME_SLEEPING;
      sleeping[c] = 1;
    } else if (g > input.secondPurchaseP50) {
      stage[c] = STAGE_AT_RISK;
      reason[c] = REASON_ONE_TIME_AT_RISK;
    } else {
      stage[c] = STAGE_NEW;
      reason[c] = REASON_ONE_TIME_NEW;
    }
    if (input.totalSpend[c] > 0 && input.totalSpend[c] >= vipSpendThreshold) {
      vip[c] = 1;
      if (stage[c] === STAGE_ACTIVE || stage[c] === STAGE_NEW) stage[c] = STAGE_VIP;
    }
  }
  return { stage, sleeping, reason, vip, sleepingFactor: k, atRiskFactor, lostFactor, vipSpendThreshold };
}

const fmt = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(1));

/**
 * The reason for customer c's stage and sleeping flag, in words a store owner can act on.
 * @example describeLifecycle(input, result, c) // "no purchase for 120 days, 4.3 × their typical interval …"
 */
export function describeLifecycle(input: LifecycleInput, result: Lifecycle, c: number): string {
  const g = input.daysSinceLast[c];
  const code = LIFECYCLE_REASONS[result.reason[c]];
  const vipText = result.vip[c] ? 'VIP (top spend); ' : '';
  const typical = input.typicalDays[c];
  const basis =
    `their typical interval of ${fmt(typical)} days ` +
    `(from ${input.gaps[c]} interval${input.gaps[c] === 1 ? '' : 's'}, shrunk toward the store's ${fmt(input.storeTypicalDays)})`;
  const ratio = (g / typical).toFixed(1);
  switch (code) {
    case 'repeat-active':
      return `${vipText}last purchase ${fmt(g)} days ago, within ${basis}`;
    case 'repeat-at-risk':
      return `${vipText}no purchase for ${fmt(g)} days, ${ratio} × ${basis}; at risk beyond ${result.atRiskFactor} ×`;
    case 'repeat-sleeping':
      return `${vipText}no purchase for ${fmt(g)} days, ${ratio} × ${basis}; sleeping beyond ${result.sleepingFactor} ×`;
    case 'repeat-lost':
      return `${vipText}no purchase for ${fmt(g)} days, ${ratio} × ${basis}; lost beyond ${result.lostFactor} ×`;
    case 'one-time-new':
      return `${vipText}one purchase ${fmt(g)} days ago; half of the store's second purchases come within ${fmt(input.secondPurchaseP50)} days`;
    case 'one-time-at-risk':
      return `${vipText}one purchase ${fmt(g)} days ago, past the store's median time to a second purchase (${fmt(input.secondPurchaseP50)} days)`;
    case 'one-time-sleeping':
      return `${vipText}one purchase ${fmt(g)} days ago; 90 % of the store's second purchases come within ${fmt(input.secondPurchaseP90)} days`;
    case 'one-time-lost':
      return `${vipText}one purchase ${fmt(g)} days ago, more than twice the time within which 90 % of second purchases come (${fmt(input.secondPurchaseP90)} days)`;
    default:
      return `${vipText}one purchase ${fmt(g)} days ago; the store has too few second purchases to judge one-time buyers`;
  }
}
