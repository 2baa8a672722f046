import { z } from 'zod';
import { CustomerRef } from '../customers/schemas.ts';
import { isStorableInstant } from '../kernel/time.ts';

const externalId = z.string().trim().min(1).max(255);
const isoInstant = z.iso
  .datetime({ offset: true })
  .refine(isStorableInstant, 'must lie between the years 0001 and 9999');
const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');

export const OrderLineInput = z
  .object({
    sku: z.string().trim().min(1).max(255).nullish(),
    product_external_id: externalId.nullish(),
    title: z.string().max(500).nullish(),
    quantity: z.number().int().min(1).max(1_000_000),
    unit_price_minor: minor,
    discount_minor: minor.nullish(),
  })
  .refine((l) => l.sku || l.product_external_id || l.title, {
    message: 'a line needs sku, product_external_id or title',
    path: ['sku'],
  });
export type OrderLineInput = z.infer<typeof OrderLineInput>;

export const ORDER_STATUSES = [
  'open',
  'paid',
  'fulfilled',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;

/** An order as the store sends it; creates/updates its customer too. Guests have no customer. */
export const OrderInput = z.object({
  external_id: externalId,
  customer: CustomerRef.nullish().describe('omit or null for a guest order'),
  placed_at: isoInstant,
  currency,
  status: z.enum(ORDER_STATUSES).nullish(),
  source: z.string().trim().max(100).nullish().describe('web, pos, marketplace, import …'),
  lines: z.array(OrderLineInput).min(1).max(1000),
  discount_minor: minor.nullish(),
  shipping_minor: minor.nullish(),
  tax_minor: minor.nullish(),
  total_minor: minor.nullish().describe('defaults to subtotal − discount + shipping + tax'),
  discount_codes: z.array(z.string().trim().min(1).max(100)).max(50).nullish(),
  updated_at: isoInstant.nullish().describe("the source's last change; a late older version never wins"),
});
export type OrderInput = z.infer<typeof OrderInput>;

export const RefundLineInput = z.object({
  line_no: z.number().int().min(1).nullish().describe("the order line's number (1-based), if known"),
  sku: z.string().trim().max(255).nullish(),
  quantity: z.number().int().min(1),
  amount_minor: minor,
});

/** A refund: of an order (by our id or external id) or, from some exports, a bare cancellation. */
export const RefundInput = z.object({
  external_id: externalId,
  order_external_id: externalId.nullish(),
  order_id: z.string().nullish(),
  customer: CustomerRef.nullish(),
  refunded_at: isoInstant,
  currency,
  amount_minor: minor,
  reason: z.string().max(500).nullish(),
  lines: z.array(RefundLineInput).max(1000).nullish(),
});
export type RefundInput = z.infer<typeof RefundInput>;

export const ProductInput = z.object({
  external_id: externalId,
  sku: z.string().trim().max(255).nullish(),
  title: z.string().trim().min(1).max(500),
  category: z.string().trim().max(500).nullish(),
  price_minor: minor.nullish(),
  currency: currency.nullish(),
  replenishment_interval_days: z.number().int().min(1).max(3650).nullish(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
  updated_at: isoInstant.nullish(),
});
export type ProductInput = z.infer<typeof ProductInput>;

export const CartLineInput = z.object({
  sku: z.string().trim().min(1).max(255).nullish(),
  product_external_id: externalId.nullish(),
  title: z.string().max(500).nullish(),
  quantity: z.number().int().min(1).max(1_000_000),
  unit_price_minor: minor,
});

/** A cart (checkout) as the store sends it; abandoned when it goes quiet without an order. */
export const CartInput = z.object({
  external_id: externalId,
  customer: CustomerRef.nullish(),
  email: z.string().trim().toLowerCase().max(320).pipe(z.email()).nullish(),
  currency,
  lines: z.array(CartLineInput).max(1000),
  checkout_url: z.url().max(2000).nullish(),
  status: z.enum(['open', 'abandoned', 'converted']).nullish(),
  recovered_order_external_id: externalId.nullish().describe('the order this cart turned into'),
  created_at: isoInstant.nullish(),
  updated_at: isoInstant.describe('last activity in the cart; newer versions win'),
});
export type CartInput = z.infer<typeof CartInput>;

export const EVENT_TYPES = [
  'page_view',
  'product_view',
  'search',
  'cart_updated',
  'checkout_started',
  'checkout_failed',
  'order_placed',
  'subscribed',
  'unsubscribed',
  'review_submitted',
  'survey_answered',
  'custom',
] as const;

/** A behavioural event; typed, with a free payload. */
export const EventInput = z.object({
  external_id: externalId.nullish().describe('dedupe key from the source; re-sent events are ignored'),
  type: z.enum(EVENT_TYPES),
  customer: CustomerRef.pick({ external_id: true, email: true }).nullish(),
  anonymous_id: z.string().max(200).nullish(),
  occurred_at: isoInstant,
  payload: z.record(z.string(), z.unknown()).nullish(),
});
export type EventInput = z.infer<typeof EventInput>;
