/** The JSON of the promotions and loyalty API (/v1 mounted under /app/api): snake_case, money in minor units. */

export type PromotionStatus = 'active' | 'archived';

export type PromotionTrigger =
  | { type: 'automatic' }
  | { type: 'code'; code: string }
  | { type: 'unique_codes' };

export type PromotionAction =
  | { code: 'percent_off'; args: { percent_bps: number; max_discount_minor: number | null } }
  | { code: 'amount_off'; args: { amount_minor: number } }
  | { code: 'free_shipping'; args: { max_shipping_minor: number | null } }
  | {
      code: 'buy_x_get_y';
      args: {
        buy_quantity: number;
        get_quantity: number;
        percent_bps: number;
        max_applications: number | null;
      };
    }
  | {
      code: 'spend_threshold';
      args: {
        steps: Array<{
          min_subtotal_minor: number;
          amount_off_minor: number | null;
          percent_bps: number | null;
        }>;
      };
    }
  | { code: 'gift_card'; args: { include_shipping: boolean } }
  | { code: 'bonus_points'; args: { points: number } };

export type PromotionCondition =
  | { code: 'min_subtotal'; args: { amount_minor: number } }
  | { code: 'first_order'; args: Record<string, never> }
  | { code: 'customer_segment'; args: { segments: string[] } }
  | { code: 'customer_tier'; args: { tiers: string[] } }
  | { code: string; args: Record<string, unknown> };

export interface PromotionFields {
  name: string;
  trigger: PromotionTrigger;
  priority: number;
  stacking: 'combinable' | 'exclusive';
  class: string | null;
  currency: string | null;
  starts_at: string | null;
  ends_at: string | null;
  limits: { total_uses: number | null; uses_per_customer: number | null; budget_minor: number | null };
  applies_to: {
    product_ids: string[];
    category_ids: string[];
    exclude_product_ids: string[];
    exclude_category_ids: string[];
  };
  conditions: PromotionCondition[];
  actions: PromotionAction[];
}

export interface Promotion extends PromotionFields {
  id: string;
  status: PromotionStatus;
  usage: {
    uses: number;
    max_uses: number | null;
    uses_left: number | null;
    budget_minor: number | null;
    budget_spent_minor: number;
    budget_left_minor: number | null;
  };
  created_at: string;
  updated_at: string;
}

export interface PromotionList {
  data: Promotion[];
  next_cursor: string | null;
}

export interface PromotionCode {
  code: string;
  customer_id: string | null;
  redeemed_at: string | null;
  balance_minor: number | null;
  expires_at: string | null;
  created_at: string;
}

export interface CodeList {
  data: PromotionCode[];
  next_cursor: string | null;
}

export interface TierLevel {
  code: string;
  name: string;
  min_spend_minor: number;
  min_orders: number;
  benefits: { earn_multiplier_bps: number; discount_bps: number; free_shipping: boolean };
  membership: { price_minor: number; period_days: number } | null;
  membership_only: boolean;
}

/** The fields of the loyalty program the page edits; the others are sent back as they came. */
export interface LoyaltyProgram {
  currency: string;
  earn: { points: number; per_amount_minor: number };
  pending_days: number;
  expiry_days: number | null;
  redemption: {
    points: number;
    value_minor: number;
    min_points: number;
    max_points_per_order: number | null;
    max_share_bps: number;
  };
  tiers: {
    basis: 'spend' | 'orders';
    window_days: number;
    grace_days: number;
    renewal_reminder_days: number;
    levels: TierLevel[];
  };
  referral: { referrer_points: number; referee_points: number; min_order_minor: number };
  bonuses: { first_order: number; birthday: number; survey: number; signup: number };
  [other: string]: unknown;
}

export interface LedgerEntryRow {
  key: string;
  operation_key: string;
  kind: string;
  points: number;
  order_id: string | null;
  at: string;
  reason: string | null;
  source: { type: string; userId?: string; user_id?: string; orderId?: string; rule?: string } | null;
}

export interface CustomerLoyalty {
  customer_id: string;
  balance: number;
  available: number;
  pending: number;
  expired_unprocessed: number;
  next_expiry: { points: number; expires_at: string } | null;
  tier?: string | null;
  entries: LedgerEntryRow[];
}

export interface CustomerTier {
  tier: string | null;
  grace_until: string | null;
  rolling_spend_minor: number;
  rolling_orders: number;
}
