import type { PurchaseHistory } from './purchase-history.ts';

/** The store-level numbers of PRODUCT.md §2, as of a day. Money in major units. */
export interface StoreMetrics {
  customers: number;
  /** Order rows (a refund is not an order). */
  orders: number;
  /** Net revenue: orders minus refunds. */
  revenue: number;
  /** AOV = revenue / orders. */
  aov: number;
  /** f = orders / customers, over the whole observed period. */
  purchaseFrequency: number;
  /** Years from the first purchase in the data to the as-of day. */
  observedYears: number;
  /** f per year of observation, f / observedYears. */
  purchaseFrequencyPerYear: number;
  /** Customer value = AOV × f (over the observed period). */
  customerValue: number;
  /** Customer value per year = AOV × f per year. */
  customerValuePerYear: number;
  /** The t of the simple CLV, in years. */
  lifetimeYears: number;
  /** Simple CLV = customer value per year × t. */
  simpleClv: number;
  /** Customers with two or more purchase days. */
  repeatCustomers: number;
  /** Repeat purchase rate = repeat customers / customers. */
  repeatPurchaseRate: number;
  /** Revenue of purchases after each customer's first purchase day / revenue (the share of repeat sales). */
  repeatRevenueShare: number;
  /** Mean revenue per customer minus acquisition and retention cost, when those are given. */
  netLtv: number | null;
}

export interface StoreMetricsOptions {
  asOfDay: number;
  minorDigits: number;
  /** Average customer lifetime t for the simple CLV, years (default 2; PRODUCT.md says 1–3). */
  lifetimeYears?: number;
  /** Acquisition cost per customer, minor units. */
  cacMinor?: number;
  /** Retention cost per customer over their lifetime, minor units. */
  retentionCostMinor?: number;
}

/**
 * Net LTV = revenue from a customer − acquisition cost − retention costs (PRODUCT.md §2).
 * @example netLtv(250, 40, 15) // 195
 */
export function netLtv(revenue: number, acquisitionCost: number, retentionCost: number): number {
  return revenue - acquisitionCost - retentionCost;
}

/**
 * AOV, purchase frequency, customer value, simple CLV, net LTV, repeat purchase rate and the
 * share of repeat revenue from purchase histories, counting purchases up to `asOfDay`.
 * Refunds lower revenue (they are counted in full, whatever their date).
 * @example computeStoreMetrics(history, { asOfDay, minorDigits: 2 }).aov
 */
export function computeStoreMetrics(history: PurchaseHistory, options: StoreMetricsOptions): StoreMetrics {
  const scale = 10 ** -options.minorDigits;
  const lifetimeYears = options.lifetimeYears ?? 2;
  const { start, day, spendMinor, orders: dayOrders, refundMinor } = history;
  let customers = 0;
  let orders = 0;
  let revenueMinor = 0;
  let repeatMinor = 0;
  let repeatCustomers = 0;
  let firstDay = Number.POSITIVE_INFINITY;
  for (let c = 0; c < history.customerCount; c++) {
    let days = 0;
    for (let i = start[c]; i < start[c + 1] && day[i] <= options.asOfDay; i++) {
      days++;
      orders += dayOrders[i];
      revenueMinor += spendMinor[i];
      if (days > 1) repeatMinor += spendMinor[i];
      if (day[i] < firstDay) firstDay = day[i];
    }
    if (days === 0) continue;
    customers++;
    revenueMinor += refundMinor[c];
    if (days > 1) repeatCustomers++;
  }
  const revenue = revenueMinor * scale;
  const aov = orders > 0 ? revenue / orders : 0;
  const purchaseFrequency = customers > 0 ? orders / customers : 0;
  const observedYears = customers > 0 ? (options.asOfDay - firstDay + 1) / 365.25 : 0;
  const purchaseFrequencyPerYear = observedYears > 0 ? purchaseFrequency / observedYears : 0;
  const customerValuePerYear = aov * purchaseFrequencyPerYear;
  const hasCosts = options.cacMinor !== undefined || options.retentionCostMinor !== undefined;
  return {
    customers,
    orders,
    revenue,
    aov,
    purchaseFrequency,
    observedYears,
    purchaseFrequencyPerYear,
    customerValue: aov * purchaseFrequency,
    customerValuePerYear,
    lifetimeYears,
    simpleClv: customerValuePerYear * lifetimeYears,
    repeatCustomers,
    repeatPurchaseRate: customers > 0 ? repeatCustomers / customers : 0,
    repeatRevenueShare: revenueMinor > 0 ? repeatMinor / revenueMinor : 0,
    netLtv:
      hasCosts && customers > 0
        ? netLtv(
            revenue / customers,
            (options.cacMinor ?? 0) * scale,
            (options.retentionCostMinor ?? 0) * scale,
          )
        : null,
  };
}
