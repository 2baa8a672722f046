/** Shared builders for the promotions tests: a cart, a customer, promotions parsed from short inputs. */
import type { LoyaltyProgram } from '../loyalty/index.ts';
import { Promotion, type PromotionInput } from './promotion.ts';
import type { CartLine, CheckoutInput, CodeRecord, CustomerContext } from './types.ts';

export const NOW = Date.UTC(2025, 5, 15, 12);

/** 2 shirts at 20.00, a mug at 10.00, 3 pairs of socks at 5.00: 65.00. */
export const LINES: CartLine[] = [
  { id: 'l1', productId: 'shirt', sku: 'S1', categoryIds: ['apparel'], quantity: 2, unitPriceMinor: 2000 },
  { id: 'l2', productId: 'mug', sku: 'M1', categoryIds: ['home'], quantity: 1, unitPriceMinor: 1000 },
  { id: 'l3', productId: 'socks', sku: 'K1', categoryIds: ['apparel'], quantity: 3, unitPriceMinor: 500 },
];

export function customer(over: Partial<CustomerContext> = {}): CustomerContext {
  return {
    customerId: 'cus_1',
    tier: null,
    segments: [],
    orderCount: 3,
    birthday: null,
    promotionUses: {},
    availablePoints: 0,
    rolling: { spendMinor: 0, orderCount: 0 },
    ...over,
  };
}

export function promo(input: Partial<PromotionInput> & Pick<PromotionInput, 'actions'>): Promotion {
  const id = input.id ?? 'p';
  return Promotion.parse({ id, name: input.name ?? id, trigger: { type: 'automatic' }, ...input });
}

/** A shared-code promotion. */
export function coded(
  code: string,
  input: Partial<PromotionInput> & Pick<PromotionInput, 'actions'>,
): Promotion {
  return promo({ id: code.toLowerCase(), trigger: { type: 'code', code }, ...input });
}

export function record(code: string, promotionId: string, over: Partial<CodeRecord> = {}): CodeRecord {
  return {
    code,
    promotionId,
    customerId: null,
    redeemed: false,
    balanceMinor: null,
    expiresAt: null,
    ...over,
  };
}

export function checkout(over: Partial<CheckoutInput> = {}): CheckoutInput {
  return {
    customer: customer(),
    currency: 'EUR',
    channel: 'web',
    lines: LINES,
    shippingMinor: 490,
    codes: [],
    points: 0,
    now: NOW,
    utcOffsetMinutes: 0,
    promotions: [],
    usage: {},
    codeRecords: [],
    loyalty: null as LoyaltyProgram | null,
    ...over,
  };
}
