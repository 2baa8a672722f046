/**
 * Points → money at checkout: the program's rate, its minimum and maximum, capped by the
 * spendable balance and by what is left to pay. Only whole minor units are given, and only the
 * points that buy them are charged.
 */
import type { LoyaltyProgram } from './program.ts';

export interface RedemptionRequest {
  /** Points the customer asks to use. */
  requestedPoints: number;
  /** Spendable points now (not pending, not expired). */
  availablePoints: number;
  /** What is left to pay that points may cover (goods after promotions). */
  payableMinor: number;
  isGuest: boolean;
}

/** Why fewer points than asked were used. */
export type RedemptionCap = 'balance' | 'max_points' | 'max_share' | 'order_total' | 'rate_step';

/** The outcome: nothing asked, points used (and why fewer than asked), or refused with a reason. */
export type RedemptionQuote =
  | { type: 'none' }
  | { type: 'redeemed'; points: number; valueMinor: number; capped: RedemptionCap | null }
  | { type: 'rejected'; reason: 'customer_required' }
  | { type: 'rejected'; reason: 'insufficient_points'; available: number }
  | { type: 'rejected'; reason: 'below_minimum'; minPoints: number }
  | { type: 'rejected'; reason: 'nothing_to_pay' };

/**
 * What `requestedPoints` buy.
 * @example
 * // with the default rate, 100 points = 1.00
 * quoteRedemption(program, { requestedPoints: 250, availablePoints: 900, payableMinor: 5000, isGuest: false })
 * // → { type: 'redeemed', points: 250, valueMinor: 250, capped: null }
 */
export function quoteRedemption(program: LoyaltyProgram, req: RedemptionRequest): RedemptionQuote {
  if (req.requestedPoints <= 0) return { type: 'none' };
  if (req.isGuest) return { type: 'rejected', reason: 'customer_required' };
  const r = program.redemption;
  if (req.availablePoints <= 0 || req.availablePoints < r.minPoints)
    return { type: 'rejected', reason: 'insufficient_points', available: Math.max(0, req.availablePoints) };
  if (req.requestedPoints < r.minPoints)
    return { type: 'rejected', reason: 'below_minimum', minPoints: r.minPoints };
  if (req.payableMinor <= 0) return { type: 'rejected', reason: 'nothing_to_pay' };

  let capped: RedemptionCap | null = null;
  let pts = req.requestedPoints;
  if (pts > req.availablePoints) {
    pts = req.availablePoints;
    capped = 'balance';
  }
  if (r.maxPointsPerOrder !== null && pts > r.maxPointsPerOrder) {
    pts = r.maxPointsPerOrder;
    capped = 'max_points';
  }
  let value = Math.floor((pts * r.valueMinor) / r.points);
  const shareCap = Math.floor((req.payableMinor * r.maxShareBps) / 10_000);
  if (value > shareCap) {
    value = shareCap;
    capped = r.maxShareBps < 10_000 ? 'max_share' : 'order_total';
  }
  // Charge only the points the value needs: ceil(value × points / valueMinor).
  const charged = Math.ceil((value * r.points) / r.valueMinor);
  if (charged < pts && capped === null) capped = 'rate_step';
  if (value <= 0 || charged < r.minPoints)
    return {
      type: 'rejected',
      reason: 'below_minimum',
      minPoints: Math.max(r.minPoints, Math.ceil(r.points / r.valueMinor)),
    };
  return { type: 'redeemed', points: charged, valueMinor: value, capped };
}
