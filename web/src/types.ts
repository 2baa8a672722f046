/** The JSON the dashboard API answers with (the fields the pages use). */

export type Role = 'owner' | 'marketer' | 'account_manager';
export type Permission =
  | 'analytics'
  | 'customers:all'
  | 'settings'
  | 'api_keys'
  | 'promotions'
  | 'loyalty'
  | 'imports';

export interface Me {
  user: { id: string; email: string; role: Role };
  store: { id: string; slug: string; name: string; currency: string; timezone: string };
  permissions: Permission[];
  csrf_token: string;
}

export type Verdict = 'repeat' | 'limited' | 'one-off' | 'insufficient-data';

export interface RetentionMonth {
  month: string;
  previousCustomers: number;
  retained: number;
  rate: number | null;
}

export interface Cohort {
  month: string;
  size: number;
  active: number[];
  rate: number[];
}

export interface Report {
  summary: {
    customers: number;
    orders: number;
    revenue: number;
    aov: number;
    purchaseFrequency: number;
    purchaseFrequencyPerYear: number;
    customerValue: number;
    customerValuePerYear: number;
    lifetimeYears: number;
    simpleClv: number;
    repeatCustomers: number;
    repeatPurchaseRate: number;
    repeatRevenueShare: number;
    averageMonthlyRetentionRate: number;
    currency: string;
    asOf: string;
    firstPurchase: string | null;
    verdict: {
      verdict: Verdict;
      returnRate: number;
      windowDays: number;
      eligibleCustomers: number;
      rule: string;
      reason: string;
    };
  };
  retention: { monthly: { months: RetentionMonth[]; averageRate: number }; cohorts: Cohort[] };
  intervals: {
    store: { medianDays: number; customers: number };
    timeToSecondPurchase: { p50: number; customers: number; withSecond: number };
  };
  segments: {
    rfm: Record<string, number>;
    lifecycle: Record<string, number>;
    sleeping: number;
    sleepingFactor: number;
  };
  models: { selected: string; horizon: number; selectionReason: string };
}

export interface ScoreRun {
  id: string;
  status: string;
  trigger: string;
  /** The step a running recompute is at ("fitting BG/NBD"). */
  progress?: string | null;
  started_at: string;
  finished_at?: string;
}

export interface AnalyticsResponse {
  latest: (ScoreRun & { report: Report }) | null;
  running: ScoreRun | null;
  /** The latest failed recompute, if any. */
  failed: { id: string; error: string | null; started_at: string; finished_at: string | null } | null;
  /** How much data the store holds; only while there is no report yet. */
  counts: { customers: number; orders: number } | null;
}

export interface CustomerRow {
  id: string;
  external_id: string | null;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  tags: string[];
  account_manager: string | null;
  rfm_segment: string | null;
  lifecycle_stage: string | null;
  sleeping: boolean | null;
  p_alive: number | null;
  expected_purchases: number | null;
  predicted_clv_minor: number | null;
  orders_count: number | null;
  last_order_at: string | null;
}

export interface CustomerPage {
  data: CustomerRow[];
  next_cursor: string | null;
  search?: string;
}

export interface CallListRow extends CustomerRow {
  total_spend_minor: number;
  typical_interval_days: number | null;
  next_purchase_at: string | null;
  reason: string;
  phone_consent: boolean;
}

export interface Consent {
  channel: 'email' | 'sms' | 'phone';
  status: 'granted' | 'withdrawn';
  source: string | null;
  text_shown: string | null;
  double_opt_in_confirmed_at: string | null;
  occurred_at: string;
}

export interface OrderLine {
  line_no: number;
  sku: string | null;
  title: string | null;
  quantity: number;
  total_minor: number;
}

export interface Order {
  id: string;
  external_id: string;
  placed_at: string;
  currency: string;
  total_minor: number;
  refunded_minor: number;
  discount_minor: number;
  status: string;
  source: string | null;
  discount_codes: string[];
  lines: OrderLine[];
}

export interface Address {
  line1: string;
  line2: string | null;
  postal_code: string | null;
  city: string | null;
  region: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
}

export interface Customer360 {
  id: string;
  external_id: string | null;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  birthday: string | null;
  address: Address | null;
  locale: string | null;
  timezone: string | null;
  tags: string[];
  account_manager: string | null;
  created_at: string;
  consents: Consent[];
  metrics: {
    orders_count: number;
    net_revenue_minor: number;
    refunded_minor: number;
    first_order_at: string | null;
    last_order_at: string | null;
    aov_minor: number | null;
  };
  scores: {
    computed_at: string;
    p_alive: number | null;
    expected_purchases: number | null;
    expected_spend_minor: number | null;
    predicted_clv_minor: number | null;
    next_purchase_at: string | null;
    /** Repeat purchases (days with an order after the first). */
    frequency: number;
    rfm_r: number;
    rfm_f: number;
    rfm_m: number;
    rfm_segment: string;
    lifecycle_stage: string;
    vip: boolean;
    sleeping: boolean;
    typical_interval_days: number | null;
    reason: string;
  } | null;
  orders: Order[];
}

export interface FilterOptions {
  tags: Array<{ tag: string; customers: number }>;
  managers: Array<{ account_manager: string; customers: number }>;
}

export interface Settings {
  store: { id: string; slug: string; name: string; currency: string; timezone: string; created_at: string };
  analytics: {
    sleepingFactor: number;
    horizonWeeks: number;
    monthlyDiscountRate: number;
    lifetimeYears: number;
    cacMinor: number;
    model: string;
  };
  users: Array<{ id: string; email: string; role: Role; created_at: string; last_login_at: string | null }>;
  api_keys: Array<{
    id: string;
    name: string;
    prefix: string;
    created_at: string;
    last_used_at: string | null;
    revoked_at: string | null;
  }> | null;
}

/** GET /app/api/analytics/trends: 12 calendar months from the orders (money in minor units), and the score runs. */
export interface Trends {
  currency: string;
  months: Array<{
    month: string;
    orders: number;
    customers: number;
    revenueMinor: number;
    aovMinor: number | null;
    purchaseFrequency: number | null;
    repeatPurchaseRate: number | null;
    returningRevenueShare: number | null;
    previousCustomers: number;
    retained: number;
    retentionRate: number | null;
  }>;
  /** One point per finished score run (the last of each day); null for someone limited to their own customers. */
  runs: Array<{
    at: string;
    simpleClv: number | null;
    active: number;
    atRisk: number;
    sleeping: number;
  }> | null;
}
