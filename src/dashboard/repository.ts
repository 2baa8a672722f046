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
