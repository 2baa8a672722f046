/** The checkout API's inputs (snake_case at the edge; the core's `CheckoutInput` is built from them). */
import { z } from 'zod';

const ref = z.string().trim().min(1).max(255);
const minor = z.number().int().min(0).max(1_000_000_000_000);

export const CheckoutLineInput = z
  .object({
    sku: ref.optional(),
    product_external_id: ref.optional(),
    quantity: z.number().int().min(1).max(1_000_000),
    unit_price_minor: minor,
  })
  .refine((l) => l.sku !== undefined || l.product_external_id !== undefined, {
    message: 'give sku or product_external_id',
    path: ['sku'],
  });

export const CheckoutEvaluateInput = z.object({
  customer: z
    .object({
      id: ref.optional().describe('our id (cus_…)'),
      external_id: ref.optional(),
    })
    .refine((c) => c.id !== undefined || c.external_id !== undefined, {
      message: 'give id or external_id (or null for a guest)',
    })
    .nullable()
    .default(null)
    .describe('null: a guest'),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  channel: z.string().trim().min(1).max(50).nullable().default(null),
  lines: z.array(CheckoutLineInput).min(1).max(500),
  shipping_minor: minor.default(0),
  codes: z.array(z.string().max(100)).max(20).default([]),
  points: z.number().int().min(0).max(1_000_000_000).default(0),
});
export type CheckoutEvaluateInput = z.infer<typeof CheckoutEvaluateInput>;

export const CheckoutCommitInput = CheckoutEvaluateInput.extend({
  order_external_id: ref.describe('the idempotency key: one order commits once'),
});
export type CheckoutCommitInput = z.infer<typeof CheckoutCommitInput>;

export const CheckoutCancelInput = z.object({ order_external_id: ref });
