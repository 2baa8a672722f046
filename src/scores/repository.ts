import { LIFECYCLE_STAGES } from '../analytics/lifecycle.ts';
import { RFM_SEGMENTS } from '../analytics/rfm-scores.ts';
import type { StoreScores } from '../analytics/score-store.ts';
import { bulkInsert } from '../db/bulk.ts';
import type { Queryable } from '../db/client.ts';
import { minorDigits } from '../kernel/money.ts';
import { DAY_MS } from '../kernel/time.ts';
import type { TransactionColumns } from '../orders/formats/types.ts';

/**
 * Reads a store's purchases as columns for the analytics core: one entry per order that was not
 * cancelled, net of refunds, customers as dense indexes. Guest orders carry no customer and are left out.
 */
export async function loadTransactionColumns(
  q: Queryable,
  storeId: string,
  currency: string,
): Promise<TransactionColumns> {
  const res = await q.query<{ customer_id: string; t: number; amount: number }>(
    `select customer_id, (extract(epoch from placed_at) * 1000)::float8 as t, (total_minor - refunded_minor)::int8 as amount
     from orders where store_id = $1 and customer_id is not null and status <> 'cancelled'
     order by customer_id, placed_at`,
    [storeId],
  );
  const n = res.rows.length;
  const customerIndex = new Int32Array(n);
  const timeMs = new Float64Array(n);
  const amountMinor = new Float64Array(n);
  const customerIds: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = res.rows[i];
    let k = index.get(r.customer_id);
    if (k === undefined) {
      k = customerIds.length;
      customerIds.push(r.customer_id);
      index.set(r.customer_id, k);
    }
    customerIndex[i] = k;
    timeMs[i] = Number(r.t);
    amountMinor[i] = Number(r.amount);
  }
  return { customerIds, customerIndex, timeMs, amountMinor, length: n, currency, rowsRead: n, rejects: [] };
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** A customer's scores from the latest computation, or null before the first. */
export async function latestCustomerScores(q: Queryable, storeId: string, customerId: string) {
  const res = await q.query(
    `select computed_at, p_alive, expected_purchases, expected_spend_minor, predicted_clv_minor, next_purchase_at,
       frequency, recency, age, monetary_minor, rfm_r, rfm_f, rfm_m, rfm_segment, lifecycle_stage, vip, sleeping,
       typical_interval_days, reason
     from customer_scores where store_id = $1 and customer_id = $2`,
    [storeId, customerId],
  );
  return res.rows[0] ?? null;
}

/** Replaces a store's customer scores with a new computation, in batches, in one transaction. */
export async function writeCustomerScores(
  q: Queryable,
  storeId: string,
  customerIds: readonly string[],
  scores: StoreScores,
  computedAt: Date,
): Promise<number> {
  const c = scores.customers;
  // The core speaks major units; the table minor units of the store's currency (JPY has none, BHD three).
  const scale = 10 ** minorDigits(scores.summary.currency);
  const toMinor = (major: number) => (Number.isFinite(major) ? Math.round(major * scale) : null);
  await q.query('delete from customer_scores where store_id = $1', [storeId]);
  const BATCH = 5000;
  for (let start = 0; start < c.count; start += BATCH) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(c.count, start + BATCH); i++) {
      rows.push([
        storeId,
        customerIds[c.customerIndex[i]],
        computedAt,
        c.orders[i],
        c.purchaseDays[i],
        toMinor(c.totalSpend[i]) ?? 0,
        new Date(c.firstPurchaseDay[i] * DAY_MS),
        new Date(c.lastPurchaseDay[i] * DAY_MS),
        c.frequency[i],
        c.recency[i],
        c.age[i],
        toMinor(c.monetary[i]) ?? 0,
        finite(c.pAlive[i]),
        finite(c.expectedPurchases[i]),
        toMinor(c.expectedSpend[i]),
        toMinor(c.predictedClv[i]),
        Number.isFinite(c.nextPurchaseMs[i]) ? new Date(c.nextPurchaseMs[i]) : null,
        c.rfmRecency[i],
        c.rfmFrequency[i],
        c.rfmMonetary[i],
        RFM_SEGMENTS[c.segment[i]],
        LIFECYCLE_STAGES[c.stage[i]],
        c.vip[i] === 1,
        c.sleeping[i] === 1,
        finite(c.typicalIntervalDays[i]),
        c.describe(i),
      ]);
    }
    await bulkInsert(q, 'customer_scores', SCORE_COLUMNS, rows);
  }
  return c.count;
}

const SCORE_COLUMNS = [
  { name: 'store_id', type: 'text' },
  { name: 'customer_id', type: 'text' },
  { name: 'computed_at', type: 'timestamptz' },
  { name: 'orders_count', type: 'int4' },
  { name: 'purchase_days', type: 'int4' },
  { name: 'total_spend_minor', type: 'int8' },
  { name: 'first_order_at', type: 'timestamptz' },
  { name: 'last_order_at', type: 'timestamptz' },
  { name: 'frequency', type: 'float8' },
  { name: 'recency', type: 'float8' },
  { name: 'age', type: 'float8' },
  { name: 'monetary_minor', type: 'int8' },
  { name: 'p_alive', type: 'float8' },
  { name: 'expected_purchases', type: 'float8' },
  { name: 'expected_spend_minor', type: 'int8' },
  { name: 'predicted_clv_minor', type: 'int8' },
  { name: 'next_purchase_at', type: 'timestamptz' },
  { name: 'rfm_r', type: 'int2' },
  { name: 'rfm_f', type: 'int2' },
  { name: 'rfm_m', type: 'int2' },
  { name: 'rfm_segment', type: 'text' },
  { name: 'lifecycle_stage', type: 'text' },
  { name: 'vip', type: 'bool' },
  { name: 'sleeping', type: 'bool' },
  { name: 'typical_interval_days', type: 'float8' },
  { name: 'reason', type: 'text' },
] as const;

/** The store-level report of the latest finished run, without per-customer columns. */
export function storeReport(scores: StoreScores) {
  const { customers: _c, ...report } = scores;
  return report;
}
