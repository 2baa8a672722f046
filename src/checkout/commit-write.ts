/**
 * A checkout commit's writes as one statement: the order's commit row, its single-use codes and
 * gift cards, the ledger's entries, lots and events, the promotions' use counters and the
 * customer's uses. One round trip instead of a dozen (each round trip cost more CPU than the work
 * it carried), and no BEGIN/COMMIT: a statement on its own is a transaction. Every write is
 * guarded; when a guard fails the statement raises (`comeback_refuse`, migration 0010), which
 * undoes what it wrote before, and the error's detail says which guards failed.
 *
 * The writes run in one fixed order, each waiting for the one before (its WHERE reads the earlier
 * one's count: a one-time filter): the customer's lock, the commit row, single-use codes, gift
 * cards (locked by code), ledger entries, their lots, lot changes, events, unlimited promotions'
 * shards, limited promotions' rows (locked by id), the customer's uses. Cancel takes them in the
 * same order, and the customer's rows are only written under the customer's lock, so no two
 * writers wait on each other in a cycle.
 */
import type { Queryable } from '../db/client.ts';
import { pgErrorCode } from '../db/client.ts';
import { isCredit, type LedgerDecision } from '../loyalty/index.ts';
import { EVENT_RECORD, eventRecord } from '../loyalty/repository.ts';
import type { CheckoutEffect } from '../promotions/index.ts';

/** The lock every writer of a customer's ledger (and a checkout of theirs) takes first. */
export function customerLockKey(storeId: string, customerId: string): string {
  return `loyalty:${storeId}:${customerId}`;
}

export interface CommitWrite {
  storeId: string;
  order: string;
  customerId: string | null;
  /** The evaluation's effects, stored with the commit so cancel can release them. */
  effects: readonly CheckoutEffect[];
  /** The evaluation as the API showed it. */
  shown: unknown;
  now: number;
  /** The redemption and earning, planned on the ledger as read (`append`), or nothing to write. */
  ledger: LedgerDecision | null;
}

/** Which guards failed: codes used meanwhile, a ledger or a promotion changed under the plan, promotions at a limit. */
export interface CommitRefusal {
  codes: string[];
  gift: string[];
  ledger: boolean;
  /** Unlimited promotions that gained a limit or ended since the evaluation: plan the commit again. */
  changed: string[];
  promotions: string[];
  customer: string[];
}

/** The statement raised: some guard failed and nothing was written. */
export class CommitRefused extends Error {
  readonly refusal: CommitRefusal;
  /** The effects the commit tried to apply (to name the refused one as the request sent it). */
  readonly effects: readonly CheckoutEffect[];
  constructor(refusal: CommitRefusal, effects: readonly CheckoutEffect[]) {
    super(`checkout commit refused: ${JSON.stringify(refusal)}`);
    this.name = 'CommitRefused';
    this.refusal = refusal;
    this.effects = effects;
  }
}

const REFUSED = 'CB409';

/** Counter rows per unlimited promotion: their sum is its uses and spend (promotions/repository.ts). */
export const USE_SHARDS = 64;

const COMMIT_SQL = `
with lk as (
  select pg_advisory_xact_lock(hashtextextended($2::text, 0)) as locked where $2::text is not null
), ins as (
  insert into checkout_commits (store_id, order_external_id, state, customer_id, effects, evaluation, committed_at, arrived)
  select $1, $3, 'committed', $4::text, $5::jsonb, $6::jsonb, $7::timestamptz,
    exists (select 1 from orders o where o.store_id = $1 and o.external_id = $3)
  where (select count(*) from lk) >= 0
  on conflict do nothing returning 1
), go as (
  select count(*) = 1 as ok from ins
), codes as (
  update promotion_codes c set redeemed_at = $7::timestamptz
  where c.store_id = $1 and c.code = any($8::text[]) and c.redeemed_at is null and (select ok from go)
  returning c.code
), gift_locked as (
  select c.code from promotion_codes c
  where c.store_id = $1 and c.code = any($9::text[]) and (select ok from go) and (select count(*) from codes) >= 0
  order by c.code for update of c
), gift as (
  update promotion_codes c set balance_minor = c.balance_minor - g.amount
  from unnest($9::text[], $10::int8[]) as g(code, amount)
  where c.store_id = $1 and c.code = g.code and c.code in (select code from gift_locked) and c.balance_minor >= g.amount
  returning c.code
), entries as (
  insert into loyalty_entries (store_id, customer_id, key, operation_key, kind, points, order_id, at, entry)
  select $1, $4::text, e.key, e.operation_key, e.kind, e.points, e.order_id, e.at, e.entry
  from jsonb_to_recordset($11::jsonb)
    as e(key text, operation_key text, kind text, points int8, order_id text, at timestamptz, entry jsonb)
  where (select ok from go) and (select count(*) from gift) >= 0
  on conflict do nothing returning key
), lots as (
  insert into loyalty_lots (store_id, customer_id, lot, points, remaining, available_at, expires_at)
  select $1, $4::text, l.lot, l.points, l.remaining, l.available_at, l.expires_at
  from jsonb_to_recordset($12::jsonb)
    as l(lot text, points int8, remaining int8, available_at timestamptz, expires_at timestamptz)
  where l.lot in (select key from entries)
  returning lot
), changed as (
  update loyalty_lots l set remaining = c.after
  from jsonb_to_recordset($13::jsonb) as c(lot text, after int8, before int8)
  where l.store_id = $1 and l.customer_id = $4::text and l.lot = c.lot and l.remaining = c.before
    and (select ok from go) and (select count(*) from lots) >= 0
  returning l.lot
), events as (
  insert into loyalty_events (store_id, id, customer_id, kind, payload, at, dedupe_key)
  select $1, v.id, v.customer_id, v.kind, v.payload, v.at, v.dedupe_key
  from jsonb_to_recordset($14::jsonb) as ${EVENT_RECORD}
  where (select ok from go) and (select count(*) from changed) >= 0
  order by v.dedupe_key
  on conflict (store_id, dedupe_key) do nothing returning id
), want_u as (
  select * from unnest($15::text[], $16::int8[]) as w(id, discount)
), ok_u as (
  -- Every row is locked, then read: a locking read returns the row's latest version, but one whose
  -- recheck fails (had the filter asked for unlimited ones) would stay locked without being seen.
  select p.id, p.status = 'active' and p.max_uses is null and p.budget_minor is null as unlimited
  from promotions p
  where p.store_id = $1 and p.id = any($15::text[]) and (select ok from go) and (select count(*) from events) >= 0
  order by p.id for key share of p
), u_ok as (
  -- An edit set a limit (or ended one) since the evaluation: plan again rather than move on to the
  -- limited rows holding this key-share lock (a commit planned after the edit locks them for update).
  select count(*) filter (where unlimited) = cardinality($15::text[]) as ok from ok_u
), shards as (
  insert into promotion_use_shards (store_id, promotion_id, shard, uses, spent_minor)
  -- The shard is the connection's: a connection runs one statement at a time, so concurrent commits
  -- rarely share a counter row (an order's shard by its id made them collide and queue).
  select $1, w.id, (pg_backend_pid() % ${USE_SHARDS})::int, 1, w.discount
  from want_u w where (select ok from u_ok) order by w.id
  on conflict (store_id, promotion_id, shard) do update
    set uses = promotion_use_shards.uses + 1, spent_minor = promotion_use_shards.spent_minor + excluded.spent_minor
  returning promotion_id
), want_l as (
  select * from unnest($17::text[], $18::int8[]) as w(id, discount)
), locked_l as (
  select p.id from promotions p
  where p.store_id = $1 and p.id = any($17::text[]) and (select ok from u_ok) and (select count(*) from shards) >= 0
  order by p.id for update of p
), limited as (
  update promotions p set uses = p.uses + 1, budget_spent_minor = p.budget_spent_minor + w.discount, updated_at = now()
  from want_l w
  where p.store_id = $1 and p.id = w.id and p.id in (select id from locked_l) and p.status = 'active'
    and (p.max_uses is null or p.uses < p.max_uses)
    and (p.budget_minor is null or p.budget_spent_minor + w.discount <= p.budget_minor)
  returning p.id
), want_c as (
  select * from unnest($19::text[], $20::int4[]) as w(id, max_uses)
), cust as (
  insert into promotion_customer_uses (store_id, promotion_id, customer_id, uses)
  select $1, w.id, $4::text, 1 from want_c w
  where $4::text is not null and (select ok from go) and (select count(*) from limited) >= 0
  order by w.id
  on conflict (store_id, promotion_id, customer_id) do update set uses = promotion_customer_uses.uses + 1
  where promotion_customer_uses.uses < coalesce(
    (select w.max_uses from want_c w where w.id = promotion_customer_uses.promotion_id), 2147483647)
  returning promotion_id
), counts as (
  select (select ok from go) as ok,
    (select count(*) from codes) <> cardinality($8::text[]) as codes_failed,
    (select count(*) from gift) <> cardinality($9::text[]) as gift_failed,
    (select count(*) from entries) <> jsonb_array_length($11::jsonb)
      or (select count(*) from lots) <> jsonb_array_length($12::jsonb)
      or (select count(*) from changed) <> jsonb_array_length($13::jsonb) as ledger_failed,
    (select count(*) from events) < 0 as events_failed,
    not (select ok from u_ok) as changed_failed,
    (select count(*) from limited) <> (select count(*) from want_l) as limited_failed,
    (select count(*) from cust) <> cardinality($19::text[]) as customer_failed
)
select ok as committed,
  case when ok and (codes_failed or gift_failed or ledger_failed or events_failed or changed_failed or limited_failed or customer_failed)
  then comeback_refuse(json_build_object(
    'codes', (select coalesce(json_agg(x), '[]') from unnest($8::text[]) x where x not in (select code from codes)),
    'gift', (select coalesce(json_agg(x), '[]') from unnest($9::text[]) x where x not in (select code from gift)),
    'ledger', ledger_failed,
    'changed', (select coalesce(json_agg(id order by id), '[]') from want_u
      where id not in (select id from ok_u where unlimited)),
    'promotions', (select coalesce(json_agg(id order by id), '[]') from want_l where id not in (select id from limited)),
    'customer', (select coalesce(json_agg(id order by id), '[]') from want_c where id not in (select promotion_id from cust))
  )::text) end as refused
from counts`;

type RecordUse = Extract<CheckoutEffect, { type: 'record_use' }>;

/** The decision's rows: entries, the lots its credits open, and changes to lots that existed before. */
function ledgerRows(decision: LedgerDecision | null): {
  entries: object[];
  lots: object[];
  changes: object[];
} {
  if (decision?.type !== 'append') return { entries: [], lots: [], changes: [] };
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  // One change per lot (first `before`, last `after`); a lot opened by this write starts at its `after`.
  const byLot = new Map<string, { lot: string; before: number; after: number }>();
  for (const c of decision.lotChanges) {
    const seen = byLot.get(c.lot);
    byLot.set(c.lot, { lot: c.lot, before: seen ? seen.before : c.before, after: c.after });
  }
  const lots = decision.entries.filter(isCredit).map((e) => {
    const change = byLot.get(e.key);
    byLot.delete(e.key);
    return {
      lot: e.key,
      points: e.points,
      remaining: change ? change.after : e.points,
      available_at: iso(e.availableAt),
      expires_at: iso(e.expiresAt),
    };
  });
  const entries = decision.entries.map((e) => ({
    key: e.key,
    operation_key: e.operationKey,
    kind: e.kind,
    points: e.points,
    order_id: e.orderId,
    at: iso(e.at),
    entry: e,
  }));
  return { entries, lots, changes: [...byLot.values()] };
}

function refusalOf(err: unknown): CommitRefusal | null {
  if (pgErrorCode(err) !== REFUSED) return null;
  return JSON.parse((err as Error).message) as CommitRefusal;
}

/**
 * Writes the commit. Returns false when the order was committed already (by a concurrent commit
 * that finished first): nothing was written. Throws `CommitRefused` when a guard failed.
 */
export async function writeCommit(q: Queryable, w: CommitWrite): Promise<boolean> {
  const ledger = ledgerRows(w.ledger);
  const events = w.ledger?.type === 'append' ? w.ledger.events : [];
  const of = <T extends CheckoutEffect['type']>(type: T) =>
    w.effects.filter((e): e is Extract<CheckoutEffect, { type: T }> => e.type === type);
  const uses = of('record_use');
  const isUnlimited = (e: RecordUse) => e.maxUses === null && e.budgetMinor === null;
  const unlimited = uses.filter(isUnlimited);
  const limited = uses.filter((e) => !isUnlimited(e));
  const gift = of('debit_gift_card');
  const lockKey = w.customerId === null ? null : customerLockKey(w.storeId, w.customerId);
  try {
    const res = await q.query<{ committed: boolean }>(
      COMMIT_SQL,
      [
        w.storeId,
        lockKey,
        w.order,
        w.customerId,
        JSON.stringify(w.effects),
        JSON.stringify(w.shown),
        new Date(w.now).toISOString(),
        of('redeem_code').map((e) => e.code),
        gift.map((e) => e.code),
        gift.map((e) => e.amountMinor),
        JSON.stringify(ledger.entries),
        JSON.stringify(ledger.lots),
        JSON.stringify(ledger.changes),
        JSON.stringify(events.map(eventRecord)),
        unlimited.map((e) => e.promotionId),
        unlimited.map((e) => e.discountMinor),
        limited.map((e) => e.promotionId),
        limited.map((e) => e.discountMinor),
        // A guest has no per-customer uses.
        w.customerId === null ? [] : uses.map((e) => e.promotionId),
        w.customerId === null ? [] : uses.map((e) => e.maxUsesPerCustomer),
      ],
      'checkout_commit',
    );
    return res.rows[0].committed;
  } catch (err) {
    const refusal = refusalOf(err);
    if (refusal) throw new CommitRefused(refusal, w.effects);
    throw err;
  }
}
