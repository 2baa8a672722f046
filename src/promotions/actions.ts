/**
 * What a promotion gives, as values in a registry: each action has a code, a zod schema for
 * its typed arguments and a pure `apply` that reads what is left to pay and returns amounts per
 * line, on shipping and in points, never more than what is left. The evaluator applies them.
 */
import { z } from 'zod';
import { prorate } from '../kernel/money.ts';
import type { CartLine, CodeRecord, NotEligible } from './types.ts';

/** What an action may look at. */
export interface ActionContext {
  lines: readonly CartLine[];
  /** Which lines the promotion covers. */
  eligible: readonly boolean[];
  /** Left to pay per line after earlier discounts (and earlier actions of this promotion). */
  remaining: readonly number[];
  shippingRemaining: number;
  /** The covered lines before any discount. */
  eligibleSubtotalMinor: number;
  /** The generated code the promotion came with (gift cards read their balance here). */
  code: CodeRecord | null;
}

export type ActionRejection = { reason: 'not_eligible'; detail: NotEligible } | { reason: 'gift_card_empty' };

/** Amounts per line (same order as the cart; null: none), on shipping, and points; or a refusal. */
export type ActionResult =
  | { ok: true; lines: number[] | null; shippingMinor: number; points: number }
  | { ok: false; rejection: ActionRejection };

/** One registered action. */
export interface ActionDefinition<Code extends string, Args> {
  code: Code;
  description: string;
  args: z.ZodType<Args>;
  apply(args: Args, ctx: ActionContext): ActionResult;
}

function defineAction<Code extends string, S extends z.ZodType>(def: {
  code: Code;
  description: string;
  args: S;
  apply(args: z.output<S>, ctx: ActionContext): ActionResult;
}): ActionDefinition<Code, z.output<S>> {
  return def as ActionDefinition<Code, z.output<S>>;
}

const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const percentBps = z.number().int().min(1).max(10_000).describe('basis points: 1 000 = 10 %');

function eligibleRemaining(ctx: ActionContext): number {
  let sum = 0;
  for (let i = 0; i < ctx.remaining.length; i++) if (ctx.eligible[i]) sum += ctx.remaining[i];
  return sum;
}

/** `totalMinor` (≤ the covered lines' remaining) split over them by largest remainder. */
function spread(ctx: ActionContext, totalMinor: number): number[] | null {
  if (totalMinor <= 0) return null;
  const weights = new Array<number>(ctx.remaining.length);
  for (let i = 0; i < weights.length; i++) weights[i] = ctx.eligible[i] ? ctx.remaining[i] : 0;
  return prorate(totalMinor, weights);
}

const ok = (lines: number[] | null, shippingMinor = 0, points = 0): ActionResult => ({
  ok: true,
  lines,
  shippingMinor,
  points,
});

/** round(x × bps / 10 000), half up, for non-negative x. */
function ofBps(x: number, bps: number): number {
  return Math.floor((x * bps) / 10_000 + 0.5);
}

const percentOff = defineAction({
  code: 'percent_off',
  description: 'A percentage off the covered items, optionally capped.',
  args: z.object({ percentBps, maxDiscountMinor: minor.nullable().default(null) }),
  apply: (a, ctx) => {
    const base = eligibleRemaining(ctx);
    let total = Math.min(base, ofBps(base, a.percentBps));
    if (a.maxDiscountMinor !== null) total = Math.min(total, a.maxDiscountMinor);
    return ok(spread(ctx, total));
  },
});

const amountOff = defineAction({
  code: 'amount_off',
  description: 'A fixed amount off the covered items, split over them in proportion to price.',
  args: z.object({ amountMinor: minor.min(1) }),
  apply: (a, ctx) => ok(spread(ctx, Math.min(a.amountMinor, eligibleRemaining(ctx)))),
});

const freeShipping = defineAction({
  code: 'free_shipping',
  description: 'Shipping costs nothing (or up to maxShippingMinor less).',
  args: z.object({ maxShippingMinor: minor.nullable().default(null) }),
  apply: (a, ctx) =>
    ok(
      null,
      a.maxShippingMinor === null
        ? ctx.shippingRemaining
        : Math.min(a.maxShippingMinor, ctx.shippingRemaining),
    ),
});

const buyXGetY = defineAction({
  code: 'buy_x_get_y',
  description:
    'For every buyQuantity + getQuantity covered items, the getQuantity cheapest get percentBps off (10 000 = free). "50 % off the second item" is buy 1 get 1 at 5 000.',
  args: z.object({
    buyQuantity: z.number().int().min(1).max(1000),
    getQuantity: z.number().int().min(1).max(1000),
    percentBps: percentBps.default(10_000),
    maxApplications: z.number().int().min(1).nullable().default(null),
  }),
  apply: (a, ctx) => {
    const group = a.buyQuantity + a.getQuantity;
    let units = 0;
    for (let i = 0; i < ctx.lines.length; i++) if (ctx.eligible[i]) units += ctx.lines[i].quantity;
    let applications = Math.floor(units / group);
    if (a.maxApplications !== null) applications = Math.min(applications, a.maxApplications);
    if (applications === 0)
      return {
        ok: false,
        rejection: { reason: 'not_eligible', detail: { condition: 'buy_quantity', quantity: group } },
      };
    // The cheapest covered units get the discount; ties go to the earlier line.
    const order: number[] = [];
    for (let i = 0; i < ctx.lines.length; i++) if (ctx.eligible[i]) order.push(i);
    order.sort((x, y) => ctx.lines[x].unitPriceMinor - ctx.lines[y].unitPriceMinor || x - y);
    const out = new Array<number>(ctx.lines.length).fill(0);
    let free = applications * a.getQuantity;
    for (const i of order) {
      if (free === 0) break;
      const n = Math.min(free, ctx.lines[i].quantity);
      out[i] = Math.min(ctx.remaining[i], ofBps(n * ctx.lines[i].unitPriceMinor, a.percentBps));
      free -= n;
    }
    return ok(out);
  },
});

const spendThreshold = defineAction({
  code: 'spend_threshold',
  description:
    'Spend more, save more: the highest step the covered items reach gives its amount or percentage off.',
  args: z.object({
    steps: z
      .array(
        z
          .object({
            minSubtotalMinor: minor,
            amountOffMinor: minor.nullable().default(null),
            percentBps: percentBps.nullable().default(null),
          })
          .refine(
            (s) => (s.amountOffMinor === null) !== (s.percentBps === null),
            'give amountOffMinor or percentBps',
          ),
      )
      .min(1)
      .max(20),
  }),
  apply: (a, ctx) => {
    let best: (typeof a.steps)[number] | null = null;
    let lowest = Number.POSITIVE_INFINITY;
    for (const s of a.steps) {
      lowest = Math.min(lowest, s.minSubtotalMinor);
      if (
        ctx.eligibleSubtotalMinor >= s.minSubtotalMinor &&
        (best === null || s.minSubtotalMinor > best.minSubtotalMinor)
      )
        best = s;
    }
    if (best === null)
      return {
        ok: false,
        rejection: {
          reason: 'not_eligible',
          detail: {
            condition: 'min_subtotal',
            minSubtotalMinor: lowest,
            subtotalMinor: ctx.eligibleSubtotalMinor,
          },
        },
      };
    const base = eligibleRemaining(ctx);
    const off = best.amountOffMinor ?? ofBps(base, best.percentBps ?? 0);
    return ok(spread(ctx, Math.min(base, off)));
  },
});

const giftCard = defineAction({
  code: 'gift_card',
  description: "Pays from the code's balance: the covered items first, then shipping.",
  args: z.object({ includeShipping: z.boolean().default(true) }),
  apply: (a, ctx) => {
    const balance = ctx.code?.balanceMinor ?? 0;
    if (balance <= 0) return { ok: false, rejection: { reason: 'gift_card_empty' } };
    const onLines = Math.min(balance, eligibleRemaining(ctx));
    const onShipping = a.includeShipping ? Math.min(balance - onLines, ctx.shippingRemaining) : 0;
    return ok(spread(ctx, onLines), onShipping);
  },
});

const bonusPoints = defineAction({
  code: 'bonus_points',
  description: 'Extra loyalty points with the order (credited with its other points).',
  args: z.object({ points: z.number().int().min(1).max(1_000_000_000) }),
  apply: (a) => ok(null, 0, a.points),
});

/** Every action by code. */
export const ACTIONS = {
  percent_off: percentOff,
  amount_off: amountOff,
  free_shipping: freeShipping,
  buy_x_get_y: buyXGetY,
  spend_threshold: spendThreshold,
  gift_card: giftCard,
  bonus_points: bonusPoints,
} as const;

export type ActionCode = keyof typeof ACTIONS;

function entry<C extends string, A>(def: ActionDefinition<C, A>) {
  return z.object({ code: z.literal(def.code), args: def.args }).describe(def.description);
}

/** An action as a promotion stores it: `{ code, args }`. */
export const ActionConfig = z.discriminatedUnion('code', [
  entry(percentOff),
  entry(amountOff),
  entry(freeShipping),
  entry(buyXGetY),
  entry(spendThreshold),
  entry(giftCard),
  entry(bonusPoints),
]);
export type ActionConfig = z.infer<typeof ActionConfig>;

/** Runs one configured action. */
export function applyAction(config: ActionConfig, ctx: ActionContext): ActionResult {
  const def = ACTIONS[config.code] as ActionDefinition<string, unknown>;
  return def.apply(config.args, ctx);
}
