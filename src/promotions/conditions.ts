/**
 * The eligibility conditions a promotion can require, as values in a registry (Vendure's
 * `PromotionCondition`): each has a code, a zod schema for its typed arguments and a pure
 * `check` that returns null when met or says which condition failed and what it wanted.
 */
import { z } from 'zod';
import { daysFromMonthDay, type EpochMs, inYearlyWindow } from '../loyalty/index.ts';
import type { CustomerContext, NotEligible } from './types.ts';

/** What a condition may look at. */
export interface ConditionContext {
  customer: CustomerContext;
  channel: string | null;
  now: EpochMs;
  utcOffsetMinutes: number;
  /** The lines the promotion covers (its `appliesTo`), before any discount. */
  eligibleSubtotalMinor: number;
  eligibleQuantity: number;
}

/** One registered condition. */
export interface ConditionDefinition<Code extends string, Args> {
  code: Code;
  description: string;
  args: z.ZodType<Args>;
  check(args: Args, ctx: ConditionContext): NotEligible | null;
}

function defineCondition<Code extends string, S extends z.ZodType>(def: {
  code: Code;
  description: string;
  args: S;
  check(args: z.output<S>, ctx: ConditionContext): NotEligible | null;
}): ConditionDefinition<Code, z.output<S>> {
  return def as ConditionDefinition<Code, z.output<S>>;
}

const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const names = z.array(z.string().trim().min(1).max(255)).min(1).max(1000);
const monthDay = z
  .object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) })
  .refine((d) => d.day <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][d.month - 1], 'no such day');

const minSubtotal = defineCondition({
  code: 'min_subtotal',
  description: 'The items the promotion covers add up to at least this amount (before discounts).',
  args: z.object({ amountMinor: minor }),
  check: (a, ctx) =>
    ctx.eligibleSubtotalMinor >= a.amountMinor
      ? null
      : {
          condition: 'min_subtotal',
          minSubtotalMinor: a.amountMinor,
          subtotalMinor: ctx.eligibleSubtotalMinor,
        },
});

const minQuantity = defineCondition({
  code: 'min_quantity',
  description: 'At least this many items the promotion covers are in the cart.',
  args: z.object({ quantity: z.number().int().min(1) }),
  check: (a, ctx) =>
    ctx.eligibleQuantity >= a.quantity
      ? null
      : { condition: 'min_quantity', minQuantity: a.quantity, quantity: ctx.eligibleQuantity },
});

const customerTier = defineCondition({
  code: 'customer_tier',
  description: 'The customer is in one of these loyalty tiers.',
  args: z.object({ tiers: names }),
  check: (a, ctx) =>
    ctx.customer.tier !== null && a.tiers.includes(ctx.customer.tier)
      ? null
      : { condition: 'customer_tier', tiers: a.tiers },
});

const customerSegment = defineCondition({
  code: 'customer_segment',
  description: 'The customer is in one of these segments.',
  args: z.object({ segments: names }),
  check: (a, ctx) =>
    ctx.customer.segments.some((s) => a.segments.includes(s))
      ? null
      : { condition: 'customer_segment', segments: a.segments },
});

const firstOrder = defineCondition({
  code: 'first_order',
  description: "The customer's first order.",
  args: z.object({}),
  check: (_a, ctx) => (ctx.customer.orderCount === 0 ? null : { condition: 'first_order' }),
});

const orderCount = defineCondition({
  code: 'order_count',
  description: 'The customer has placed between min and max orders before this one.',
  args: z.object({
    min: z.number().int().min(0).default(0),
    max: z.number().int().min(0).nullable().default(null),
  }),
  check: (a, ctx) =>
    ctx.customer.orderCount >= a.min && (a.max === null || ctx.customer.orderCount <= a.max)
      ? null
      : { condition: 'order_count', min: a.min, max: a.max },
});

const channel = defineCondition({
  code: 'channel',
  description: 'The order comes through one of these channels (web, pos, app …).',
  args: z.object({ channels: names }),
  check: (a, ctx) =>
    ctx.channel !== null && a.channels.includes(ctx.channel)
      ? null
      : { condition: 'channel', channels: a.channels },
});

const customer = defineCondition({
  code: 'customer',
  description: 'A personal offer: only these customers.',
  args: z.object({ customerIds: names }),
  check: (a, ctx) =>
    ctx.customer.customerId !== null && a.customerIds.includes(ctx.customer.customerId)
      ? null
      : { condition: 'customer' },
});

const birthday = defineCondition({
  code: 'birthday',
  description: "Within daysBefore … daysAfter of the customer's birthday (store time).",
  args: z.object({
    daysBefore: z.number().int().min(0).max(180).default(0),
    daysAfter: z.number().int().min(0).max(180).default(7),
  }),
  check: (a, ctx) => {
    const b = ctx.customer.birthday;
    if (b !== null) {
      const d = daysFromMonthDay(ctx.now, b, ctx.utcOffsetMinutes);
      if (d >= -a.daysBefore && d <= a.daysAfter) return null;
    }
    return { condition: 'birthday', daysBefore: a.daysBefore, daysAfter: a.daysAfter };
  },
});

const yearlyWindow = defineCondition({
  code: 'yearly_window',
  description: 'Every year between these dates, inclusive (store time): a holiday such as 24–26 December.',
  args: z.object({ from: monthDay, to: monthDay }),
  check: (a, ctx) =>
    inYearlyWindow(ctx.now, a.from, a.to, ctx.utcOffsetMinutes)
      ? null
      : { condition: 'yearly_window', from: a.from, to: a.to },
});

/** Every condition by code. */
export const CONDITIONS = {
  min_subtotal: minSubtotal,
  min_quantity: minQuantity,
  customer_tier: customerTier,
  customer_segment: customerSegment,
  first_order: firstOrder,
  order_count: orderCount,
  channel,
  customer,
  birthday,
  yearly_window: yearlyWindow,
} as const;

export type ConditionCode = keyof typeof CONDITIONS;

function entry<C extends string, A>(def: ConditionDefinition<C, A>) {
  return z.object({ code: z.literal(def.code), args: def.args }).describe(def.description);
}

/** A condition as a promotion stores it: `{ code, args }`, args validated by the condition's schema. */
export const ConditionConfig = z.discriminatedUnion('code', [
  entry(minSubtotal),
  entry(minQuantity),
  entry(customerTier),
  entry(customerSegment),
  entry(firstOrder),
  entry(orderCount),
  entry(channel),
  entry(customer),
  entry(birthday),
  entry(yearlyWindow),
]);
export type ConditionConfig = z.infer<typeof ConditionConfig>;

/** Runs one configured condition. */
export function checkCondition(config: ConditionConfig, ctx: ConditionContext): NotEligible | null {
  const def = CONDITIONS[config.code] as ConditionDefinition<string, unknown>;
  return def.check(config.args, ctx);
}
