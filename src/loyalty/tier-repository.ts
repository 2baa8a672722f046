/**
 * Stored tiers and paid memberships: the tier job sums each customer's rolling activity in SQL,
 * lets the core (`evaluateTier`) decide, and stores the result with its `tier_changed` events in
 * one transaction under a per-store lock, so two runs never interleave. Checkout reads the stored
 * tier (`customer_tiers.tier`).
 */
import { bulkInsert } from '../db/bulk.ts';
import { epochMs, lockKey, type Queryable } from '../db/client.ts';
import { DAY_MS } from '../kernel/time.ts';
import { EARNING_STATUSES } from './order-earn.ts';
import type { LoyaltyProgram, TierProgram } from './program.ts';
import { insertLoyaltyEvents } from './repository.ts';
import { evaluateTier, type Membership, membershipRenewalsDue, tierInForce } from './tiers.ts';
import type { LoyaltyEvent } from './types.ts';

/**
 * SQL for the memberships that may hold a stored tier at `at`: those of `customer` not ended by
 * then, as `[tier, starts, ends]` (epoch ms), read only when the stored tier (`tiers`, the alias of
 * the customer's customer_tiers row) is a membership's, above the earned one; null otherwise.
 * `store`, `customer` and `at` are SQL expressions.
 */
export function membershipsHolding(tiers: string, store: string, customer: string, at: string): string {
  return `case when ${tiers}.tier is distinct from ${tiers}.earned_tier then
      (select coalesce(json_agg(json_build_array(m.tier, ${epochMs('m.starts_at')},
         ${epochMs('m.ends_at')})), '[]'::json)
       from loyalty_memberships m
       where m.store_id = ${store} and m.customer_id = ${customer} and m.ends_at > ${at}) end`;
}

/** The tier in force at `at` from a stored tier and `membershipsHolding`'s answer (tierInForce). */
export function storedTierAt(
  tiers: TierProgram,
  stored: { tier: string | null; earned_tier: string | null; memberships: [string, number, number][] | null },
  at: number,
): string | null {
  if (stored.memberships === null) return stored.tier;
  return tierInForce(
    tiers,
    { tier: stored.tier, earnedTier: stored.earned_tier },
    stored.memberships.map(([tier, startsAt, endsAt], i) => ({ id: String(i), tier, startsAt, endsAt })),
    at,
  );
}

const iso = (ms: number) => new Date(ms).toISOString();
const msOf = (v: Date | string) => (v instanceof Date ? v.getTime() : Date.parse(v));

/** The lock a store's tier evaluation runs under (the daily job and a staff re-evaluation). */
export function tierRunLockKey(storeId: string): string {
  return `loyalty-tiers:${storeId}`;
}

/** A paid membership as recorded: its period and price, under the purchase's key. */
export interface MembershipRow {
  id: string;
  tier: string;
  starts_at: Date;
  ends_at: Date;
  price_minor: string;
}

/** The membership recorded under the store's purchase key, if any (the same key records one period). */
export async function membershipByKey(
  q: Queryable,
  storeId: string,
  key: string,
): Promise<MembershipRow | null> {
  const res = await q.query<MembershipRow>(
    'select id, tier, starts_at, ends_at, price_minor from loyalty_memberships where store_id = $1 and key = $2',
    [storeId, key],
  );
  return res.rows[0] ?? null;
}

/** Records a membership bought under `key`. */
export async function insertMembership(
  q: Queryable,
  storeId: string,
  customerId: string,
  m: Membership,
  priceMinor: number,
  key: string,
): Promise<void> {
  await q.query(
    `insert into loyalty_memberships (store_id, id, customer_id, tier, starts_at, ends_at, price_minor, key)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [storeId, m.id, customerId, m.tier, iso(m.startsAt), iso(m.endsAt), priceMinor, key],
  );
}

/** Memberships in force at `now` or later, by customer. */
export async function loadMemberships(
  q: Queryable,
  storeId: string,
  now: number,
  customerIds: readonly string[] | null = null,
): Promise<Map<string, Membership[]>> {
  const res = await q.query<{
    id: string;
    customer_id: string;
    tier: string;
    starts_at: Date;
    ends_at: Date;
  }>(
    `select id, customer_id, tier, starts_at, ends_at from loyalty_memberships
     where store_id = $1 and ends_at > $2 and ($3::text[] is null or customer_id = any($3::text[]))
     order by customer_id, starts_at, id`,
    [storeId, iso(now), customerIds],
  );
  const out = new Map<string, Membership[]>();
  for (const r of res.rows) {
    const list = out.get(r.customer_id) ?? [];
    list.push({ id: r.id, tier: r.tier, startsAt: msOf(r.starts_at), endsAt: msOf(r.ends_at) });
    out.set(r.customer_id, list);
  }
  return out;
}

export interface TierRunSummary {
  evaluated: number;
  changed: number;
  renewalReminders: number;
}

interface Candidate {
  customer_id: string;
  spend: number | string;
  orders: number;
  tier: string | null;
  earned_tier: string | null;
  grace_until: Date | string | null;
  has_row: boolean;
}

/**
 * Evaluates and stores the tiers of the store's customers (or of `customerIds`): those with orders
 * in the rolling window, a stored tier or a membership. Running it again at the same `now` changes
 * nothing. Also raises membership renewal reminders (once per membership).
 */
export async function evaluateStoredTiers(
  q: Queryable,
  storeId: string,
  program: LoyaltyProgram,
  now: number,
  customerIds: readonly string[] | null = null,
): Promise<TierRunSummary> {
  const summary = { evaluated: 0, changed: 0, renewalReminders: 0 };
  const tiers = program.tiers;
  if (tiers.levels.length === 0) return summary;
  await lockKey(q, tierRunLockKey(storeId));
  const memberships = await loadMemberships(q, storeId, now, customerIds);
  const res = await q.query<Candidate>(
    `with act as (
       -- Spend in the program's currency only: tiers' thresholds are amounts in it.
       select customer_id, coalesce(sum(total_minor - refunded_minor) filter (where currency = $7), 0) as spend,
         count(*)::int as orders
       from orders
       where store_id = $1 and customer_id is not null and status = any($6::text[])
         and placed_at > $2 and placed_at <= $3 and ($4::text[] is null or customer_id = any($4::text[]))
       group by customer_id),
     cand as (
       select customer_id from act
       union select customer_id from customer_tiers
         where store_id = $1 and ($4::text[] is null or customer_id = any($4::text[]))
       union select unnest($5::text[]))
     select c.customer_id, coalesce(a.spend, 0) as spend, coalesce(a.orders, 0) as orders,
       t.tier, t.earned_tier, t.grace_until, t.customer_id is not null as has_row
     from cand c
     left join act a on a.customer_id = c.customer_id
     left join customer_tiers t on t.store_id = $1 and t.customer_id = c.customer_id
     order by c.customer_id`,
    [
      storeId,
      iso(now - tiers.windowDays * DAY_MS),
      iso(now),
      customerIds,
      [...memberships.keys()],
      EARNING_STATUSES,
      program.currency,
    ],
  );
  const rows: unknown[][] = [];
  const events: LoyaltyEvent[] = [];
  const reminders: LoyaltyEvent[] = [];
  for (const c of res.rows) {
    const state = {
      tier: c.tier,
      earnedTier: c.earned_tier,
      graceUntil: c.grace_until === null ? null : msOf(c.grace_until),
    };
    const activity = { spendMinor: Number(c.spend), orderCount: c.orders };
    const own = memberships.get(c.customer_id) ?? [];
    const e = evaluateTier(tiers, c.customer_id, state, activity, own, now);
    summary.evaluated++;
    if (e.changed) summary.changed++;
    events.push(...e.events);
    reminders.push(...membershipRenewalsDue(tiers, c.customer_id, own, now));
    // Customers who are and stay untiered get no row.
    if (!c.has_row && e.next.tier === null && e.next.earnedTier === null && e.next.graceUntil === null)
      continue;
    rows.push([
      storeId,
      c.customer_id,
      e.next.tier,
      e.next.earnedTier,
      e.next.graceUntil === null ? null : iso(e.next.graceUntil),
      activity.spendMinor,
      activity.orderCount,
      iso(now),
    ]);
  }
  for (let i = 0; i < rows.length; i += 5000)
    await bulkInsert(
      q,
      'customer_tiers',
      [
        { name: 'store_id', type: 'text' },
        { name: 'customer_id', type: 'text' },
        { name: 'tier', type: 'text' },
        { name: 'earned_tier', type: 'text' },
        { name: 'grace_until', type: 'timestamptz' },
        { name: 'rolling_spend_minor', type: 'int8' },
        { name: 'rolling_orders', type: 'int4' },
        { name: 'evaluated_at', type: 'timestamptz' },
      ],
      rows.slice(i, i + 5000),
      `on conflict (store_id, customer_id) do update set tier = excluded.tier, earned_tier = excluded.earned_tier,
         grace_until = excluded.grace_until, rolling_spend_minor = excluded.rolling_spend_minor,
         rolling_orders = excluded.rolling_orders, evaluated_at = excluded.evaluated_at`,
    );
  await insertLoyaltyEvents(q, storeId, events);
  summary.renewalReminders = await insertLoyaltyEvents(q, storeId, reminders);
  return summary;
}

/** A customer's stored tier and membership periods, for their loyalty page. */
export async function customerTier(
  q: Queryable,
  storeId: string,
  customerId: string,
): Promise<{
  tier: string | null;
  earned_tier: string | null;
  grace_until: Date | null;
  rolling_spend_minor: number;
  rolling_orders: number;
  evaluated_at: Date | null;
}> {
  const res = await q.query<{
    tier: string | null;
    earned_tier: string | null;
    grace_until: Date | null;
    rolling_spend_minor: string | number;
    rolling_orders: number;
    evaluated_at: Date;
  }>(
    `select tier, earned_tier, grace_until, rolling_spend_minor, rolling_orders, evaluated_at
     from customer_tiers where store_id = $1 and customer_id = $2`,
    [storeId, customerId],
  );
  const r = res.rows[0];
  if (!r)
    return {
      tier: null,
      earned_tier: null,
      grace_until: null,
      rolling_spend_minor: 0,
      rolling_orders: 0,
      evaluated_at: null,
    };
  return { ...r, rolling_spend_minor: Number(r.rolling_spend_minor) };
}
