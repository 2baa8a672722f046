/**
 * Checkout evaluation, the pure function behind `POST /v1/checkout/evaluate`: which promotions
 * and codes apply to a cart, how much each takes off every line and shipping, what the loyalty
 * points asked for are worth, what the order will earn, and why each refused code was refused.
 *
 * Deterministic: candidates run in (priority, id, code) order whatever the order of the input
 * arrays, each on what is left to pay after the ones before it, so no line, shipping or total
 * ever goes below zero. It returns the effects to write when the order is placed (Medusa's
 * `computeActions`) and changes nothing itself.
 */
import { prorate } from '../kernel/money.ts';
import {
  earnPoints,
  quoteRedemption,
  type TierLevel,
  tierBenefits,
  tierLevel,
  tierProgress,
} from '../loyalty/index.ts';
import { type ActionContext, applyAction } from './actions.ts';
import { normalizeCode } from './codes.ts';
import { type ConditionContext, checkCondition } from './conditions.ts';
import { type LineFilter, type Promotion, paysFromBalance } from './promotion.ts';
import { rejectionMessage } from './rejection-message.ts';
import type {
  AppliedDiscount,
  CartLine,
  CheckoutEffect,
  CheckoutEvaluation,
  CheckoutInput,
  ClashWith,
  CodeRecord,
  CodeRejection,
  LineAmount,
  PointsOutcome,
  RejectionReason,
} from './types.ts';

/** Tier discounts run after promotions of the default priority (100). */
export const TIER_DISCOUNT_PRIORITY = 1000;

interface Candidate {
  promotion: Promotion;
  /** As typed by the customer; null for automatic and tier promotions. */
  typed: string | null;
  code: string | null;
  record: CodeRecord | null;
  source: AppliedDiscount['source'];
  /** It pays from the code's balance (a gift card): money, applied after every discount and the points. */
  gift: boolean;
}

function covers(filter: LineFilter, line: CartLine): boolean {
  if (filter.excludeProductIds.length > 0 && filter.excludeProductIds.includes(line.productId)) return false;
  if (filter.excludeCategoryIds.length > 0)
    for (const c of line.categoryIds) if (filter.excludeCategoryIds.includes(c)) return false;
  if (filter.productIds.length === 0 && filter.categoryIds.length === 0) return true;
  if (filter.productIds.includes(line.productId)) return true;
  for (const c of line.categoryIds) if (filter.categoryIds.includes(c)) return true;
  return false;
}

function hasIncludes(filter: LineFilter): boolean {
  return filter.productIds.length > 0 || filter.categoryIds.length > 0;
}

const EMPTY_FILTER: LineFilter = {
  productIds: [],
  categoryIds: [],
  excludeProductIds: [],
  excludeCategoryIds: [],
};

/** The tier's standing discount and free shipping as an automatic promotion. */
function tierPromotion(level: TierLevel): Promotion | null {
  const { discountBps, freeShipping } = level.benefits;
  if (discountBps <= 0 && !freeShipping) return null;
  const actions: Promotion['actions'] = [];
  if (discountBps > 0)
    actions.push({ code: 'percent_off', args: { percentBps: discountBps, maxDiscountMinor: null } });
  if (freeShipping) actions.push({ code: 'free_shipping', args: { maxShippingMinor: null } });
  return {
    id: `tier:${level.code}`,
    name: `${level.name} benefits`,
    trigger: { type: 'automatic' },
    priority: TIER_DISCOUNT_PRIORITY,
    stacking: 'combinable',
    class: null,
    currency: null,
    startsAt: null,
    endsAt: null,
    limits: { totalUses: null, usesPerCustomer: null, budgetMinor: null },
    appliesTo: EMPTY_FILTER,
    conditions: [],
    actions,
  };
}

function byRunOrder(a: Candidate, b: Candidate): number {
  const pa = a.promotion;
  const pb = b.promotion;
  if (pa.priority !== pb.priority) return pa.priority - pb.priority;
  if (pa.id !== pb.id) return pa.id < pb.id ? -1 : 1;
  const ca = a.code ?? '';
  const cb = b.code ?? '';
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** Records why a typed code was refused (closures in the loop would cost an allocation per candidate). */
function reject(
  out: CodeRejection[],
  currency: string,
  typed: string,
  promotionId: string | null,
  reason: RejectionReason,
): void {
  out.push({
    code: typed,
    promotionId,
    message: rejectionMessage(reason, currency),
    ...reason,
  } as CodeRejection);
}

/** Refuses a candidate: shown when it came from a code, silent for automatic promotions. */
function fail(out: CodeRejection[], currency: string, cand: Candidate, reason: RejectionReason): void {
  if (cand.typed !== null) reject(out, currency, cand.typed, cand.promotion.id, reason);
}

function clash(c: Candidate): ClashWith {
  return { promotionId: c.promotion.id, name: c.promotion.name, code: c.code };
}

/**
 * Evaluates a cart against the active promotions, the typed codes and the loyalty program.
 * @example
 * evaluateCheckout({ customer, currency: 'EUR', channel: 'web', lines, shippingMinor: 490, codes: ['SUMMER10'],
 *   points: 0, now, utcOffsetMinutes: 60, promotions, usage: {}, codeRecords: [], loyalty: null })
 * // → { discounts: [{ promotionId: 'summer', amountMinor: 250, lines: [...] }], totalMinor: 2740, rejectedCodes: [], … }
 */
export function evaluateCheckout(input: CheckoutInput): CheckoutEvaluation {
  const { lines, customer, currency } = input;
  const n = lines.length;
  const subtotals = new Array<number>(n);
  let subtotal = 0;
  for (let i = 0; i < n; i++) {
    subtotals[i] = lines[i].quantity * lines[i].unitPriceMinor;
    subtotal += subtotals[i];
  }
  const remaining = subtotals.slice();
  const discountPerLine = new Array<number>(n).fill(0);
  /** What gift cards paid per line: money paid, so it earns points (not a discount of the price). */
  const giftPerLine = new Array<number>(n).fill(0);
  let shippingRemaining = input.shippingMinor;
  const rejectedCodes: CodeRejection[] = [];
  // Candidates: automatic promotions, those the codes name, the tier's benefits.
  const candidates: Candidate[] = [];
  const byId = new Map<string, Promotion>();
  const byCode = new Map<string, Promotion>();
  for (const p of input.promotions) {
    byId.set(p.id, p);
    if (p.trigger.type === 'automatic')
      candidates.push({
        promotion: p,
        typed: null,
        code: null,
        record: null,
        source: 'automatic',
        gift: paysFromBalance(p),
      });
    else if (p.trigger.type === 'code') {
      // Several promotions with one shared code (a yearly WELCOME, one per currency): one that can
      // apply now owns it (in its dates, in the cart's currency), then the one that runs first,
      // whatever the input order.
      const other = byCode.get(p.trigger.code);
      const current = (x: Promotion) =>
        (x.currency === null || x.currency === currency) &&
        (x.startsAt === null || x.startsAt <= input.now) &&
        (x.endsAt === null || input.now < x.endsAt);
      if (
        !other ||
        (current(p) && !current(other)) ||
        (current(p) === current(other) &&
          (p.priority < other.priority || (p.priority === other.priority && p.id < other.id)))
      )
        byCode.set(p.trigger.code, p);
    }
  }
  const seenCodes = new Set<string>();
  const seenPromotions = new Set<string>();
  for (const typed of input.codes) {
    const code = normalizeCode(typed);
    if (seenCodes.has(code)) {
      reject(rejectedCodes, currency, typed, null, { reason: 'duplicate_code' });
      continue;
    }
    seenCodes.add(code);
    let promotion = byCode.get(code);
    let record: CodeRecord | null = null;
    if (!promotion) {
      for (const r of input.codeRecords)
        if (r.code === code) {
          record = r; // codes are unique in the store
          break;
        }
      const p = record ? byId.get(record.promotionId) : undefined;
      if (p && p.trigger.type === 'unique_codes') promotion = p;
    }
    if (!promotion || code === '') {
      reject(rejectedCodes, currency, typed, null, { reason: 'unknown_code' });
      continue;
    }
    if (seenPromotions.has(promotion.id)) {
      reject(rejectedCodes, currency, typed, promotion.id, { reason: 'duplicate_code' });
      continue;
    }
    seenPromotions.add(promotion.id);
    candidates.push({ promotion, typed, code, record, source: 'code', gift: paysFromBalance(promotion) });
  }
  const level = input.loyalty ? tierLevel(input.loyalty.tiers, customer.tier) : null;
  const tierPromo = level ? tierPromotion(level) : null;
  if (tierPromo)
    candidates.push({
      promotion: tierPromo,
      typed: null,
      code: null,
      record: null,
      source: 'tier',
      gift: false,
    });
  candidates.sort(byRunOrder);

  const applied: AppliedDiscount[] = [];
  const appliedBy: Candidate[] = [];
  const effects: CheckoutEffect[] = [];
  const classes = new Map<string, Candidate>();
  let exclusive: Candidate | null = null;
  const eligible = new Array<boolean>(n);
  const work = new Array<number>(n);
  const amounts = new Array<number>(n);
  // One context each for conditions and actions, updated per candidate rather than rebuilt.
  const actx = {
    lines,
    eligible,
    remaining: work,
    shippingRemaining: 0,
    eligibleSubtotalMinor: 0,
    code: null as CodeRecord | null,
  } satisfies ActionContext;
  const ctx: ConditionContext = {
    customer,
    channel: input.channel,
    now: input.now,
    utcOffsetMinutes: input.utcOffsetMinutes,
    eligibleSubtotalMinor: 0,
    eligibleQuantity: 0,
  };

  // One candidate: kept (its discount taken from what is left) or refused with its reason.
  const consider = (cand: Candidate): void => {
    const p = cand.promotion;
    // Validity, then limits, then eligibility, then stacking: the first refusal is the one shown.
    if (p.currency !== null && p.currency !== currency) {
      fail(rejectedCodes, currency, cand, { reason: 'currency_mismatch', currency: p.currency });
      return;
    }
    if (p.startsAt !== null && input.now < p.startsAt) {
      fail(rejectedCodes, currency, cand, { reason: 'not_started', startsAt: p.startsAt });
      return;
    }
    const endsAt =
      p.endsAt !== null && cand.record?.expiresAt != null
        ? Math.min(p.endsAt, cand.record.expiresAt)
        : (p.endsAt ?? cand.record?.expiresAt ?? null);
    if (endsAt !== null && input.now >= endsAt) {
      fail(rejectedCodes, currency, cand, { reason: 'expired', endedAt: endsAt });
      return;
    }
    const rec = cand.record;
    if (rec?.redeemed) {
      fail(rejectedCodes, currency, cand, { reason: 'code_used' });
      return;
    }
    if (rec !== null && rec.customerId !== null && rec.customerId !== customer.customerId) {
      fail(
        rejectedCodes,
        currency,
        cand,
        customer.customerId === null
          ? { reason: 'customer_required' }
          : { reason: 'not_eligible', detail: { condition: 'customer' } },
      );
      return;
    }
    const usage = Object.hasOwn(input.usage, p.id) ? input.usage[p.id] : null;
    const { totalUses, usesPerCustomer, budgetMinor } = p.limits;
    if (totalUses !== null && (usage?.uses ?? 0) >= totalUses) {
      fail(rejectedCodes, currency, cand, { reason: 'usage_limit_reached', limit: 'total', max: totalUses });
      return;
    }
    if (usesPerCustomer !== null) {
      if (customer.customerId === null) {
        fail(rejectedCodes, currency, cand, { reason: 'customer_required' });
        return;
      }
      const used = Object.hasOwn(customer.promotionUses, p.id) ? customer.promotionUses[p.id] : 0;
      if (used >= usesPerCustomer) {
        fail(rejectedCodes, currency, cand, {
          reason: 'usage_limit_reached',
          limit: 'per_customer',
          max: usesPerCustomer,
        });
        return;
      }
    }
    const budgetLeft =
      budgetMinor === null ? Number.POSITIVE_INFINITY : budgetMinor - (usage?.spentMinor ?? 0);
    if (budgetLeft <= 0) {
      fail(rejectedCodes, currency, cand, { reason: 'budget_exhausted' });
      return;
    }

    let eligibleSubtotal = 0;
    let eligibleQuantity = 0;
    for (let i = 0; i < n; i++) {
      eligible[i] = covers(p.appliesTo, lines[i]);
      if (eligible[i]) {
        eligibleSubtotal += subtotals[i];
        eligibleQuantity += lines[i].quantity;
      }
    }
    if (eligibleQuantity === 0 && hasIncludes(p.appliesTo)) {
      fail(rejectedCodes, currency, cand, { reason: 'not_eligible', detail: { condition: 'products' } });
      return;
    }
    ctx.eligibleSubtotalMinor = eligibleSubtotal;
    ctx.eligibleQuantity = eligibleQuantity;
    let notEligible = null;
    for (const c of p.conditions) {
      notEligible = checkCondition(c, ctx);
      if (notEligible !== null) break;
    }
    if (notEligible !== null) {
      fail(rejectedCodes, currency, cand, { reason: 'not_eligible', detail: notEligible });
      return;
    }

    // Exclusivity is between offers: the customer's tier benefits (a paid membership's free
    // shipping) and gift cards (money) are neither excluded nor excluding.
    const offer = cand.source !== 'tier' && !cand.gift;
    if (exclusive !== null && offer) {
      fail(rejectedCodes, currency, cand, { reason: 'not_combinable', with: clash(exclusive) });
      return;
    }
    const before =
      p.stacking === 'exclusive' && offer ? appliedBy.find((a) => a.source !== 'tier') : undefined;
    if (before !== undefined) {
      fail(rejectedCodes, currency, cand, { reason: 'not_combinable', with: clash(before) });
      return;
    }
    const sameClass = p.class === null ? undefined : classes.get(p.class);
    if (p.class !== null && sameClass !== undefined) {
      fail(rejectedCodes, currency, cand, { reason: 'class_limit', class: p.class, with: clash(sameClass) });
      return;
    }

    // Actions run one after another on what is left, in a scratch copy until the promotion is kept.
    for (let i = 0; i < n; i++) {
      work[i] = remaining[i];
      amounts[i] = 0;
    }
    let shipping = 0;
    let points = 0;
    let refused: RejectionReason | null = null;
    actx.eligibleSubtotalMinor = eligibleSubtotal;
    actx.code = rec;
    for (const action of p.actions) {
      actx.shippingRemaining = shippingRemaining - shipping;
      const r = applyAction(action, actx);
      if (!r.ok) {
        refused = r.rejection;
        break;
      }
      if (r.lines !== null)
        for (let i = 0; i < n; i++) {
          amounts[i] += r.lines[i];
          work[i] -= r.lines[i];
        }
      shipping += r.shippingMinor;
      points += r.points;
    }
    if (refused !== null) {
      fail(rejectedCodes, currency, cand, refused);
      return;
    }
    let linesTotal = 0;
    for (let i = 0; i < n; i++) linesTotal += amounts[i];
    let budgetCapped = false;
    if (linesTotal + shipping > budgetLeft) {
      const parts = prorate(budgetLeft, [...amounts, shipping]);
      for (let i = 0; i < n; i++) amounts[i] = parts[i];
      shipping = parts[n];
      linesTotal = budgetLeft - shipping;
      budgetCapped = true;
    }
    // Bonus points go to a customer's ledger in a program: a guest (or a store without a program)
    // gets none, and a promotion that gives only points is refused, not used up for nothing.
    if (points > 0 && (input.loyalty === null || customer.customerId === null)) {
      if (linesTotal + shipping === 0 && customer.customerId === null) {
        fail(rejectedCodes, currency, cand, { reason: 'customer_required' });
        return;
      }
      points = 0;
    }
    if (linesTotal + shipping === 0 && points === 0) {
      fail(rejectedCodes, currency, cand, { reason: 'nothing_to_discount' });
      return;
    }

    const split: LineAmount[] = [];
    for (let i = 0; i < n; i++) {
      if (amounts[i] === 0) continue;
      if (cand.gift) giftPerLine[i] += amounts[i];
      remaining[i] -= amounts[i];
      discountPerLine[i] += amounts[i];
      split.push({ lineId: lines[i].id, amountMinor: amounts[i] });
    }
    shippingRemaining -= shipping;
    applied.push({
      promotionId: p.id,
      name: p.name,
      code: cand.code,
      source: cand.source,
      amountMinor: linesTotal + shipping,
      linesMinor: linesTotal,
      lines: split,
      shippingMinor: shipping,
      points,
      budgetCapped,
    });
    appliedBy.push(cand);
    if (p.stacking === 'exclusive' && offer) exclusive = cand;
    if (p.class !== null) classes.set(p.class, cand);
    if (cand.source !== 'tier')
      effects.push({
        type: 'record_use',
        promotionId: p.id,
        customerId: customer.customerId,
        code: cand.code,
        discountMinor: linesTotal + shipping,
        maxUses: totalUses,
        maxUsesPerCustomer: usesPerCustomer,
        budgetMinor,
      });
    if (rec !== null) {
      // A balance on another promotion's code (stored before balances were refused there) is not debited.
      if (rec.balanceMinor !== null && cand.gift)
        effects.push({
          type: 'debit_gift_card',
          code: rec.code,
          promotionId: p.id,
          amountMinor: linesTotal + shipping,
          balanceMinor: rec.balanceMinor,
        });
      else effects.push({ type: 'redeem_code', code: rec.code, promotionId: p.id });
    }
  };
  // Discounts, then points, then gift cards: a gift card pays what is left, like money.
  for (const cand of candidates) if (!cand.gift) consider(cand);

  let goodsAfterPromotions = 0;
  for (let i = 0; i < n; i++) goodsAfterPromotions += remaining[i];

  const pointsPerLine = new Array<number>(n).fill(0);
  const pointsOutcome = redeemPoints(input, remaining, goodsAfterPromotions, pointsPerLine, effects);
  for (const cand of candidates) if (cand.gift) consider(cand);
  let giftGoods = 0;
  for (let i = 0; i < n; i++) giftGoods += giftPerLine[i];

  const program = input.loyalty;
  // Points and tier spend count in the program's currency: a cart in another earns nothing.
  const sameCurrency = program !== null && program.currency === currency;
  let paidGoods = 0;
  for (let i = 0; i < n; i++) paidGoods += remaining[i];
  // A guest has no ledger to book points on: nothing is shown as earned.
  if (program && customer.customerId !== null) {
    let promotionPoints = 0;
    for (const d of applied) promotionPoints += d.points;
    // In another currency only the promotions' bonus points count (points, not money).
    pointsOutcome.toEarn = earnPoints(program, {
      lines: sameCurrency
        ? lines.map((l, i) => ({
            productId: l.productId,
            categoryIds: l.categoryIds,
            // What a gift card paid is money paid: it earns.
            paidMinor: remaining[i] + giftPerLine[i],
          }))
        : [],
      orderTotalMinor: sameCurrency ? goodsAfterPromotions : 0,
      isFirstOrder: sameCurrency && customer.orderCount === 0,
      tierMultiplierBps: tierBenefits(program.tiers, customer.tier).earnMultiplierBps,
      promotionPoints,
      at: input.now,
    });
  }

  const lineTotals = lines.map((l, i) => ({
    lineId: l.id,
    subtotalMinor: subtotals[i],
    discountMinor: discountPerLine[i],
    pointsMinor: pointsPerLine[i],
    totalMinor: remaining[i],
  }));
  const shippingDiscount = input.shippingMinor - shippingRemaining;
  let discountMinor = 0;
  for (const d of applied) discountMinor += d.amountMinor;
  return {
    currency,
    subtotalMinor: subtotal,
    lines: lineTotals,
    discounts: applied,
    shipping: {
      amountMinor: input.shippingMinor,
      discountMinor: shippingDiscount,
      totalMinor: shippingRemaining,
      free: input.shippingMinor > 0 && shippingRemaining === 0,
    },
    discountMinor,
    points: pointsOutcome,
    totalMinor: paidGoods + shippingRemaining,
    tierProgress:
      program && program.tiers.levels.length > 0
        ? tierProgress(program.tiers, customer.tier, {
            spendMinor: customer.rolling.spendMinor + (sameCurrency ? paidGoods + giftGoods : 0),
            orderCount: customer.rolling.orderCount + 1,
          })
        : null,
    rejectedCodes,
    effects,
  };
}

/** Points asked for → money off the lines (split by what is left on each); updates `remaining` and `pointsPerLine`. */
function redeemPoints(
  input: CheckoutInput,
  remaining: number[],
  payableMinor: number,
  pointsPerLine: number[],
  effects: CheckoutEffect[],
): PointsOutcome {
  const out: PointsOutcome = {
    requested: input.points,
    redeemed: 0,
    valueMinor: 0,
    lines: [],
    capped: null,
    rejection: null,
    toEarn: null,
  };
  if (input.points <= 0) return out;
  if (!input.loyalty) {
    out.rejection = { reason: 'no_program' };
    return out;
  }
  if (input.loyalty.currency !== input.currency) {
    out.rejection = { reason: 'currency_mismatch', programCurrency: input.loyalty.currency };
    return out;
  }
  const q = quoteRedemption(input.loyalty, {
    requestedPoints: input.points,
    availablePoints: input.customer.availablePoints,
    payableMinor,
    isGuest: input.customer.customerId === null,
  });
  if (q.type === 'none') return out;
  if (q.type === 'rejected') {
    const { type: _type, ...rejection } = q;
    out.rejection = rejection;
    return out;
  }
  const parts = prorate(q.valueMinor, remaining);
  for (let i = 0; i < remaining.length; i++) {
    if (parts[i] === 0) continue;
    remaining[i] -= parts[i];
    pointsPerLine[i] = parts[i];
    out.lines.push({ lineId: input.lines[i].id, amountMinor: parts[i] });
  }
  out.redeemed = q.points;
  out.valueMinor = q.valueMinor;
  out.capped = q.capped;
  effects.push({ type: 'redeem_points', customerId: input.customer.customerId as string, points: q.points });
  return out;
}
