import { lastCallSql } from '../calls/index.ts';
import type { Queryable } from '../db/client.ts';

/**
 * Queries only the dashboard needs. Lists, the 360 view and the report come from the customer and
 * score repositories; these fill the gaps: free-text search, the call list, filter choices, counts.
 */

/** How much data a store holds (the empty states say what is missing). */
export async function storeCounts(q: Queryable, storeId: string) {
  const res = await q.query<{ customers: number; orders: number }>(
    `select (select count(*) from customers where store_id = $1)::int as customers,
            (select count(*) from orders where store_id = $1)::int as orders`,
    [storeId],
  );
  return res.rows[0];
}

/** The latest failed recompute of a store, if any (the dashboard stops waiting and says why). */
export async function lastFailedRun(q: Queryable, storeId: string) {
  const res = await q.query<{ id: string; error: string | null; started_at: Date; finished_at: Date | null }>(
    `select id, error, started_at, finished_at from score_runs where store_id = $1 and status = 'failed'
     order by finished_at desc nulls last limit 1`,
    [storeId],
  );
  return res.rows[0] ?? null;
}

const ROW_COLUMNS = `c.id, c.external_id, c.email, c.phone, c.first_name, c.last_name, c.tags, c.account_manager,
  s.rfm_segment, s.lifecycle_stage, s.sleeping, s.p_alive, s.expected_purchases, s.predicted_clv_minor,
  s.orders_count, s.last_order_at`;

/** The scope clause of an account manager (null: all customers). */
function managerClause(param: string): string {
  return `(${param}::text is null or lower(trim(c.account_manager)) = ${param})`;
}

/**
 * Customers whose name, email, phone or external id contains `text` (case-insensitive), best
 * matches first: exact id or email, then prefix, then anywhere. At most `limit`.
 */
export async function searchCustomers(
  q: Queryable,
  storeId: string,
  text: string,
  managerEmail: string | null,
  limit = 50,
) {
  const needle = text.trim().toLowerCase();
  const like = `%${needle.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  const res = await q.query(
    `select ${ROW_COLUMNS} from customers c
       left join customer_scores s on s.store_id = c.store_id and s.customer_id = c.id
     where c.store_id = $1 and ${managerClause('$4')}
       and (c.id = $2 or c.external_id = $2 or lower(c.email) like $3 or c.phone like $3
            or lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) like $3)
     order by (c.id = $2 or c.external_id = $2 or lower(c.email) = $2) desc,
              (lower(c.email) like $5 or lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) like $5) desc,
              c.last_name, c.first_name, c.id
     limit $6`,
    [storeId, needle, like, managerEmail, like.slice(1), limit],
  );
  return res.rows;
}

/**
 * The call list: customers drifting away (at risk or sleeping) worth a call, the biggest lifetime
 * spenders first, with the reason in words, whether they may be phoned and their last call. Someone
 * reached in the last two weeks rests (calls/rules.ts `onCallList`).
 */
export async function callList(
  q: Queryable,
  storeId: string,
  managerEmail: string | null,
  limit: number,
  now: Date,
) {
  const last = lastCallSql('$4');
  const res = await q.query(
    `select ${ROW_COLUMNS}, s.total_spend_minor, s.typical_interval_days, s.next_purchase_at, s.reason,
       exists (select 1 from current_consents k where k.store_id = c.store_id and k.customer_id = c.id
               and k.channel = 'phone' and k.status = 'granted') as phone_consent,
       ${last.columns}
     from customer_scores s join customers c on c.store_id = s.store_id and c.id = s.customer_id
       ${last.join}
     where s.store_id = $1 and s.lifecycle_stage in ('at_risk', 'sleeping') and ${managerClause('$2')}
       and ${last.keep}
     order by s.total_spend_minor desc, c.id
     limit $3`,
    [storeId, managerEmail, limit, now],
  );
  return res.rows;
}

/** Choices for the customer filters: the most used tags and the account managers. */
export async function filterOptions(q: Queryable, storeId: string, managerEmail: string | null) {
  const [tags, managers] = await Promise.all([
    q.query<{ tag: string; customers: number }>(
      `select t.tag, count(*)::int as customers from customers c, unnest(c.tags) as t(tag)
       where c.store_id = $1 and ${managerClause('$2')} group by t.tag order by count(*) desc, t.tag limit 100`,
      [storeId, managerEmail],
    ),
    q.query<{ account_manager: string; customers: number }>(
      `select c.account_manager, count(*)::int as customers from customers c
       where c.store_id = $1 and c.account_manager is not null and ${managerClause('$2')}
       group by c.account_manager order by c.account_manager limit 200`,
      [storeId, managerEmail],
    ),
  ]);
  return { tags: tags.rows, managers: managers.rows };
}

/** One calendar month (UTC) of a store's orders, for the overview's trends. Money in minor units. */
export interface MonthTrend {
  /** `YYYY-MM`. */
  month: string;
  orders: number;
  /** Customers who bought that month. */
  customers: number;
  revenueMinor: number;
  /** Revenue ÷ orders; null in a month without orders. */
  aovMinor: number | null;
  /** Orders per customer who bought that month. */
  purchaseFrequency: number | null;
  /** Share of the month's buyers who bought on a day after their first purchase day (as the report's repeat rate). */
  repeatPurchaseRate: number | null;
  /** Share of the month's revenue from orders after each customer's first purchase day. */
  returningRevenueShare: number | null;
  /** Buyers of the month before. */
  previousCustomers: number;
  /** Of them, those who bought again this month. */
  retained: number;
  retentionRate: number | null;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/**
 * The last 12 calendar months (UTC) up to `now`'s month, from `orders` in one statement: orders not
 * cancelled, net of refunds, guest orders left out (as the report). Months without orders are kept.
 * `managerEmail` limits it to one account manager's customers (null: all).
 */
export async function monthlyTrends(
  q: Queryable,
  storeId: string,
  managerEmail: string | null,
  now: Date,
): Promise<MonthTrend[]> {
  const res = await q.query<{
    month: string;
    orders: number;
    customers: number;
    revenue: number;
    returning_customers: number;
    returning_revenue: number;
    previous_customers: number;
    retained: number;
  }>(
    `with bounds as (
       select date_trunc('month', $3::timestamptz at time zone 'UTC') - interval '11 months' as first_month,
              date_trunc('month', $3::timestamptz at time zone 'UTC') + interval '1 month' as end_month
     ),
     o as (
       select o.customer_id, (o.total_minor - o.refunded_minor) as amount,
              date_trunc('month', o.placed_at at time zone 'UTC') as month,
              (o.placed_at at time zone 'UTC')::date as day,
              min((o.placed_at at time zone 'UTC')::date) over (partition by o.customer_id) as first_day
       from orders o join customers c on c.store_id = o.store_id and c.id = o.customer_id
       where o.store_id = $1 and o.status <> 'cancelled' and ${managerClause('$2')}
         and o.placed_at < (select end_month from bounds) at time zone 'UTC'
     ),
     buyers as (
       select distinct customer_id, month from o
       where month >= (select first_month from bounds) - interval '1 month'
     ),
     months as (
       select generate_series((select first_month from bounds), (select end_month from bounds) - interval '1 month',
                              interval '1 month') as month
     )
     select to_char(m.month, 'YYYY-MM') as month,
       count(o.customer_id)::int as orders,
       count(distinct o.customer_id)::int as customers,
       coalesce(sum(o.amount), 0)::float8 as revenue,
       count(distinct o.customer_id) filter (where o.day > o.first_day)::int as returning_customers,
       coalesce(sum(o.amount) filter (where o.day > o.first_day), 0)::float8 as returning_revenue,
       (select count(*) from buyers p where p.month = m.month - interval '1 month')::int as previous_customers,
       (select count(*) from buyers p join buyers n on n.customer_id = p.customer_id and n.month = m.month
        where p.month = m.month - interval '1 month')::int as retained
     from months m left join o on o.month = m.month
     group by m.month order by m.month`,
    [storeId, managerEmail, now],
  );
  return res.rows.map((r) => ({
    month: r.month,
    orders: r.orders,
    customers: r.customers,
    revenueMinor: r.revenue,
    aovMinor: ratio(r.revenue, r.orders),
    purchaseFrequency: ratio(r.orders, r.customers),
    repeatPurchaseRate: ratio(r.returning_customers, r.customers),
    returningRevenueShare: ratio(r.returning_revenue, r.revenue),
    previousCustomers: r.previous_customers,
    retained: r.retained,
    retentionRate: ratio(r.retained, r.previous_customers),
  }));
}

/** A finished nightly (or requested) score run's store numbers, for the trends the orders cannot give. */
export interface RunTrend {
  /** When the run finished (ISO-8601). */
  at: string;
  /** The report's simple CLV, in major units like the report. */
  simpleClv: number | null;
  active: number;
  atRisk: number;
  sleeping: number;
}

/**
 * The store's finished score runs of the last 12 months, the last of each UTC day, oldest first:
 * customer value and health are only known as each run saw them, so each run is one point.
 */
export async function scoreRunTrends(q: Queryable, storeId: string, now: Date): Promise<RunTrend[]> {
  const res = await q.query<{
    finished_at: Date | string;
    clv: number | null;
    lifecycle: Record<string, number> | null;
    sleeping: number | null;
  }>(
    `select finished_at, clv, lifecycle, sleeping from (
       select distinct on ((finished_at at time zone 'UTC')::date) finished_at,
              (report #>> '{summary,simpleClv}')::float8 as clv,
              report #> '{segments,lifecycle}' as lifecycle,
              (report #>> '{segments,sleeping}')::int as sleeping
       from score_runs
       where store_id = $1 and status = 'done' and report is not null
         and finished_at > $2::timestamptz - interval '12 months'
       order by (finished_at at time zone 'UTC')::date, finished_at desc
     ) runs order by finished_at`,
    [storeId, now],
  );
  return res.rows.map((r) => {
    const life = r.lifecycle ?? {};
    return {
      at: new Date(r.finished_at).toISOString(),
      simpleClv: r.clv,
      // As the overview counts them: active includes VIP and new customers.
      active: (life.active ?? 0) + (life.vip ?? 0) + (life.new ?? 0),
      atRisk: life.at_risk ?? 0,
      sleeping: r.sleeping ?? 0,
    };
  });
}
