/**
 * A promotion as one validated value: how it is triggered (automatically, by one shared code or
 * by generated codes), when and how often it may be used, how it stacks, which items it covers,
 * the conditions it requires and the actions it applies.
 */
import { z } from 'zod';
import { ActionConfig } from './actions.ts';
import { normalizeCode } from './codes.ts';
import { ConditionConfig } from './conditions.ts';

const id = z.string().trim().min(1).max(255);
const ids = z.array(id).max(10_000).default([]);
const epochMs = z.number().int();
const limit = z.number().int().min(1).nullable().default(null);

/** The items a promotion covers: all, or those listed, less the excluded ones. */
export const LineFilter = z.object({
  productIds: ids.describe('empty: every product (unless categories are listed)'),
  categoryIds: ids,
  excludeProductIds: ids,
  excludeCategoryIds: ids,
});
export type LineFilter = z.infer<typeof LineFilter>;

export const PromotionTrigger = z.discriminatedUnion('type', [
  z.object({ type: z.literal('automatic') }),
  z.object({
    type: z.literal('code'),
    code: z.string().trim().min(1).max(100).transform(normalizeCode).describe('one shared code'),
  }),
  z.object({
    type: z
      .literal('unique_codes')
      .describe('generated codes, stored apart (single-use, personal, gift cards)'),
  }),
]);
export type PromotionTrigger = z.infer<typeof PromotionTrigger>;

export const Promotion = z
  .object({
    id,
    name: z.string().trim().min(1).max(200).describe('what the customer sees on the receipt'),
    trigger: PromotionTrigger,
    priority: z.number().int().min(0).max(1_000_000).default(100).describe('lower runs first; ties by id'),
    stacking: z
      .enum(['combinable', 'exclusive'])
      .default('combinable')
      .describe(
        'exclusive: applies only alone, and no other offer after it (tier benefits and gift cards still do)',
      ),
    class: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .nullable()
      .default(null)
      .describe('at most one promotion of a class per order'),
    currency: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/)
      .nullable()
      .default(null)
      .describe('the currency of its amounts; null: the cart currency'),
    startsAt: epochMs.nullable().default(null),
    endsAt: epochMs.nullable().default(null),
    limits: z
      .object({
        totalUses: limit,
        usesPerCustomer: limit,
        budgetMinor: z.number().int().min(0).nullable().default(null),
      })
      .prefault({}),
    appliesTo: LineFilter.prefault({}),
    conditions: z.array(ConditionConfig).max(20).default([]),
    actions: z.array(ActionConfig).min(1).max(10),
  })
  .refine((p) => p.startsAt === null || p.endsAt === null || p.startsAt < p.endsAt, {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });
export type Promotion = z.infer<typeof Promotion>;
export type PromotionInput = z.input<typeof Promotion>;

/** Whether the promotion pays from its codes' balances (gift cards): only such codes carry one. */
export function paysFromBalance(p: Promotion): boolean {
  return p.actions.some((a) => a.code === 'gift_card');
}
