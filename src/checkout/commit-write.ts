/**
 * A checkout commit's writes as one statement: the order's commit row, its single-use codes and
 * gift cards, the ledger's entries, lots and events, the promotions' use counters and the
 * customer's uses. One round trip instead of a dozen (each round trip cost more CPU than the work
 * it carried), and no BEGIN/COMMIT: a statement on its own is a transaction. Every write is
 * guarded; when a guard fails the statement raises (`comeback_refuse`, migration 0010), which
 * undoes what it wrote before, and the error's detail says which guards failed.
 *
 * The writes run in one fixed order, each waiting for the one before (its WHERE reads the earlier
 * one's count: a one-time filter): the customer's lock, the commit row (its effects and evaluation
 * in checkout_commit_bodies), single-use codes, gift cards (locked by code), ledger entries, their
 * lots, lot changes, events, the connection's use shard (one row: the counts of the promotions the
 * order used, a limited one's use taken from the shard's quota), the customer's uses (one row, a
 * map). No promotion's row is written: a quota is granted beforehand (`grantQuotas`, under the
 * customer's lock, the shard's row, then the promotions' rows by id). Cancel takes its rows in the
 * same order (codes, the ledger, shards, then promotions' rows), an edit takes the store's shards
 * before the promotion's row, and the customer's rows are only written under the customer's lock,
 * so no two writers wait on each other in a cycle; a deadlock that happens anyway is retried.
 */

import { recordDefinition, rowObject } from '../db/bulk.ts';
import type { Queryable } from '../db/client.ts';
import { advisoryLock, pgErrorCode } from '../db/client.ts';
import { isCredit, type LedgerDecision } from '../loyalty/index.ts';
import {
  ENTRY_COLUMNS,
  EVENT_RECORD,
  entryRow,
  eventRecord,
  LOT_COLUMNS,
  ledgerLockKey,
  ledgerRowsWritten,
  lotRow,
} from '../loyalty/repository.ts';
import type { CheckoutEffect } from '../promotions/index.ts';
import { CONNECTION_SHARD } from '../promotions/repository.ts';

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
  /** Limited promotions whose quota in the connection's shard does not cover the order: grant one, commit again. */
  quota: string[];
  customer: string[];
}

/** A refusal naming no guard (to build one from). */
export const NOTHING_REFUSED: CommitRefusal = {
  codes: [],
  gift: [],
  ledger: false,
  changed: [],
  promotions: [],
  quota: [],
  customer: [],
};

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

/** Which parts an order's commit writes: the statement holds only those (see `commitStatement`). */
interface CommitShape {
  customer: boolean;
  codes: boolean;
  gift: boolean;
  entries: boolean;
  lots: boolean;
  changes: boolean;
  events: boolean;
  unlimited: boolean;
  limited: boolean;
  customerUses: boolean;
}

// The ledger's rows as its repository writes them (entryRow, lotRow), here as JSON records.
const ENTRY_NAMES = ENTRY_COLUMNS.map((c) => c.name).join(', ');
const ENTRY_VALUES = ENTRY_COLUMNS.map((c) => `e.${c.name}`).join(', ');
const LOT_NAMES = LOT_COLUMNS.map((c) => c.name).join(', ');
const LOT_VALUES = LOT_COLUMNS.map((c) => `l.${c.name}`).join(', ');

/** Every write waits for the commit row: a repeated order (its row there already) writes nothing. */
const GO = '(select ok from go)';

/** A part of the statement: its CTEs, and the failed-guard test and refusal detail it adds. */
interface Part {
  /** The CTEs; `@after` stands for "the write before me has run" (a one-time filter). */
  ctes: string;
  /** The write CTE the next part waits for. */
  write: string;
  failed?: string;
  detail?: [string, string];
}

/**
 * The commit statement for one shape of order, with `@name` parameters. An order writes only some
 * of the parts (most redeem no code, debit no gift card, take no limited promotion): a statement
 * of those parts alone is initialised, locked and run for less than one of all of them, so each
 * shape is its own prepared statement.
 */
function commitStatement(shape: CommitShape): string {
  const parts: Part[] = [];
  if (shape.codes)
    parts.push({
      ctes: `codes as (
  update promotion_codes c set redeemed_at = @now::timestamptz
  where c.store_id = @store and c.code = any(@codes::text[]) and c.redeemed_at is null and ${GO} and @after
  returning c.code)`,
      write: 'codes',
      failed: '(select count(*) from codes) <> cardinality(@codes::text[])',
      detail: [
        'codes',
        '(select json_agg(x) from unnest(@codes::text[]) x where x not in (select code from codes))',
      ],
    });
  if (shape.gift)
    parts.push({
      ctes: `gift_locked as (
  select c.code from promotion_codes c
  where c.store_id = @store and c.code = any(@gift_codes::text[]) and ${GO} and @after
  order by c.code for update of c
), gift as (
  update promotion_codes c set balance_minor = c.balance_minor - g.amount
  from unnest(@gift_codes::text[], @gift_amounts::int8[]) as g(code, amount)
  where c.store_id = @store and c.code = g.code and c.code in (select code from gift_locked)
    and c.balance_minor >= g.amount
  returning c.code)`,
      write: 'gift',
      failed: '(select count(*) from gift) <> cardinality(@gift_codes::text[])',
      detail: [
        'gift',
        '(select json_agg(x) from unnest(@gift_codes::text[]) x where x not in (select code from gift))',
      ],
    });
  const ledgerFailed: string[] = [];
  if (shape.entries) {
    parts.push({
      ctes: `entries as (
  insert into loyalty_entries (${ENTRY_NAMES})
  select ${ENTRY_VALUES}
  from jsonb_to_recordset(@entries::jsonb) as e(${recordDefinition(ENTRY_COLUMNS)})
  where ${GO} and @after
  on conflict do nothing returning key)`,
      write: 'entries',
    });
    ledgerFailed.push('(select count(*) from entries) <> jsonb_array_length(@entries::jsonb)');
  }
  if (shape.lots) {
    parts.push({
      // Only the lots of entries written (an entry written before means the plan is stale).
      ctes: `lots as (
  insert into loyalty_lots (${LOT_NAMES})
  select ${LOT_VALUES}
  from jsonb_to_recordset(@lots::jsonb) as l(${recordDefinition(LOT_COLUMNS)})
  where l.lot in (select key from entries) and @after
  returning lot)`,
      write: 'lots',
    });
    ledgerFailed.push('(select count(*) from lots) <> jsonb_array_length(@lots::jsonb)');
  }
  if (shape.changes) {
    parts.push({
      ctes: `changed as (
  update loyalty_lots l set remaining = c.after
  from jsonb_to_recordset(@changes::jsonb) as c(lot text, after int8, before int8)
  where l.store_id = @store and l.customer_id = @customer::text and l.lot = c.lot and l.remaining = c.before
    -- The changed lots by key: joined on the lot alone, the generic plan read all the customer's lots.
    and l.lot = any(array(select x.lot from jsonb_to_recordset(@changes::jsonb) as x(lot text)))
    and ${GO} and @after
  returning l.lot)`,
      write: 'changed',
    });
    ledgerFailed.push('(select count(*) from changed) <> jsonb_array_length(@changes::jsonb)');
  }
  if (ledgerFailed.length > 0)
    parts.push({
      ctes: '',
      write: '',
      failed: ledgerFailed.join(' or '),
      detail: ['ledger', `(${ledgerFailed.join(' or ')})`],
    });
  if (shape.events)
    parts.push({
      ctes: `events as (
  insert into loyalty_events (store_id, id, customer_id, kind, payload, at, dedupe_key)
  select @store, v.id, v.customer_id, v.kind, v.payload, v.at, v.dedupe_key
  from jsonb_to_recordset(@events::jsonb) as ${EVENT_RECORD}
  where ${GO} and @after
  order by v.dedupe_key
  on conflict (store_id, dedupe_key) do nothing returning id)`,
      write: 'events',
      // Not a guard (an event already in the feed is skipped); counted so that it runs in turn.
      failed: '(select count(*) from events) < 0',
    });
  if (shape.unlimited || shape.limited) {
    const wants: string[] = [];
    const used: string[] = [];
    if (shape.unlimited) {
      wants.push('want_u as (select * from unnest(@u_ids::text[], @u_discounts::int8[]) as w(id, discount))');
      used.push('select id, discount from want_u');
    }
    if (shape.limited) {
      wants.push('want_l as (select * from unnest(@l_ids::text[], @l_discounts::int8[]) as w(id, discount))');
      used.push('select id, discount from want_l');
    }
    const counts = `s.uses || (select jsonb_object_agg(w.id, jsonb_build_array(
      coalesce((s.uses->w.id->>0)::int8, 0) + 1, coalesce((s.uses->w.id->>1)::int8, 0) + w.discount)) from (${used.join(' union all ')}) w)`;
    // An unlimited promotion an edit closed since the evaluation (it gained a limit or ended): plan again.
    const open = 'not (s.closed && @u_ids::text[])';
    // A limited one takes its use and discount from the shard's quota (null: that dimension has no
    // limit). A scalar subquery, not NOT EXISTS: the planner turns that into an anti-join, whose
    // recheck on the row's latest version (after waiting for its lock) does not look at want_l again.
    const covered = `(select bool_and(s.quota ? w.id and coalesce((s.quota->w.id->>0)::int8, 1) >= 1
      and coalesce((s.quota->w.id->>1)::int8, w.discount) >= w.discount) from want_l w)`;
    const ctes = shape.limited
      ? // The shard row exists: the quota was granted on it.
        `shards as (
  update promotion_use_counts s set uses = ${counts},
    quota = s.quota || (select jsonb_object_agg(w.id, jsonb_build_array(
      (s.quota->w.id->>0)::int8 - 1, (s.quota->w.id->>1)::int8 - w.discount)) from want_l w)
  where s.store_id = @store and s.shard = ${CONNECTION_SHARD} and ${shape.unlimited ? `${open} and ` : ''}${covered}
    and ${GO} and @after
  returning 1)`
      : // The condition is checked on the row's latest version once its lock is held.
        `shards as (
  insert into promotion_use_counts as s (store_id, shard, uses)
  select @store, ${CONNECTION_SHARD}, (select jsonb_object_agg(w.id, jsonb_build_array(1, w.discount)) from want_u w)
  where ${GO} and @after
  on conflict (store_id, shard) do update set uses = ${counts}
    where ${open}
  returning 1)`;
    // Which unlimited promotions changed: with only those, every one (the count failed on nothing
    // else); beside limited ones, those closed in the shard as the snapshot saw it (it may predate
    // an edit: a quota refused is granted, and the commit runs again).
    const changed = !shape.unlimited
      ? "'[]'::json"
      : !shape.limited
        ? '(select json_agg(id order by id) from want_u)'
        : `(select json_agg(x order by x) from unnest(@u_ids::text[]) x where x = any(coalesce(
      (select closed from promotion_use_counts where store_id = @store and shard = ${CONNECTION_SHARD}), '{}')))`;
    parts.push({
      ctes: `${wants.join(', ')}, ${ctes}`,
      write: 'shards',
      failed: '(select count(*) from shards) <> 1',
      // Named only when the shard's count failed (another part's refusal is not a changed promotion).
      detail: ['changed', `case when (select count(*) from shards) = 1 then '[]'::json else ${changed} end`],
    });
    if (shape.limited)
      parts.push({
        ctes: '',
        write: '',
        detail: [
          'quota',
          `case when (select count(*) from shards) = 1 then '[]'::json else (select json_agg(id order by id) from want_l) end`,
        ],
      });
  }
  // Later parts wait for the promotions' count (a refused one ends the commit anyway).
  const afterShards = shape.unlimited || shape.limited ? `${GO} and (select count(*) from shards) = 1` : GO;
  if (shape.customerUses)
    parts.push({
      // Under the customer's lock (lk): the row's latest version is the one the limits are checked on.
      ctes: `want_c as (
  select * from unnest(@c_ids::text[], @c_max::int4[]) as w(id, max_uses)
), cust as (
  insert into customer_promotion_uses as u (store_id, customer_id, uses)
  select @store, @customer::text, (select jsonb_object_agg(w.id, 1) from want_c w)
  where ${afterShards} and @after
  on conflict (store_id, customer_id) do update
    set uses = u.uses || (select jsonb_object_agg(w.id, coalesce((u.uses->>w.id)::int, 0) + 1) from want_c w)
    where not exists (select 1 from want_c w where coalesce((u.uses->>w.id)::int, 0) >= w.max_uses)
  returning 1)`,
      write: 'cust',
      failed: '(select count(*) from cust) <> 1',
      detail: [
        'customer',
        // The statement's snapshot may predate the lock: then every promotion with a per-customer
        // limit is named. Nothing when the part did not run (the shard's count failed before it).
        `case when (select count(*) from cust) = 1 or not (${afterShards})
           then '[]'::json
         else coalesce((select json_agg(w.id order by w.id) from want_c w, customer_promotion_uses u
           where u.store_id = @store and u.customer_id = @customer::text and coalesce((u.uses->>w.id)::int, 0) >= w.max_uses),
         (select json_agg(id order by id) from want_c where max_uses is not null)) end`,
      ],
    });

  let before: string | null = null;
  const ctes: string[] = [];
  for (const part of parts) {
    if (part.ctes === '') continue;
    const after = before === null ? 'true' : `(select count(*) from ${before}) >= 0`;
    ctes.push(part.ctes.replaceAll('@after', after));
    before = part.write;
  }
  const failed = parts.flatMap((p) => (p.failed ? [p.failed] : []));
  const details = parts.flatMap((p) => (p.detail ? [`'${p.detail[0]}', ${p.detail[1]}`] : []));
  const sql = `with ${
    shape.customer ? `lk as (select ${advisoryLock('@lock::text')} as locked), ` : ''
  }ins as (
  insert into checkout_commits (store_id, order_external_id, state, customer_id, committed_at, arrived)
  select @store, @order, 'committed', @customer::text, @now::timestamptz,
    exists (select 1 from orders o where o.store_id = @store and o.external_id = @order)
  ${shape.customer ? 'where (select count(*) from lk) >= 0' : ''}
  on conflict do nothing returning 1
), go as (
  select count(*) = 1 as ok from ins
), body as (
  insert into checkout_commit_bodies (store_id, order_external_id, effects, evaluation)
  select @store, @order, @effects::json, @shown::json where ${GO}
  returning 1
)${ctes.map((c) => `, ${c}`).join('')}
select (select ok from go) as committed${
    failed.length === 0
      ? ''
      : `,
  case when (select ok from go) and (${failed.join(' or ')})
  then comeback_refuse(json_build_object(${details.join(', ')})::text) end as refused`
  }`;
  return sql;
}

/** A shape's prepared statement name: its parts as bits, in `CommitShape`'s order. */
function statementName(shape: CommitShape): string {
  return `checkout_commit_${Object.values(shape)
    .map((b) => (b ? '1' : '0'))
    .join('')}`;
}

/** Numbers a statement's `@name` parameters in order of first use; `names` lists them in that order. */
function numbered(sql: string, values: Record<string, unknown>): { text: string; names: string[] } {
  const index = new Map<string, number>();
  const text = sql.replace(/@([a-z_]+)/g, (_, name: string) => {
    let i = index.get(name);
    if (i === undefined) {
      if (!(name in values)) throw new Error(`commit statement: no value for @${name}`);
      i = index.size + 1;
      index.set(name, i);
    }
    return `$${i}`;
  });
  return { text, names: [...index.keys()] };
}

/** The statements by shape, built and numbered once. */
const statements = new Map<string, { name: string; text: string; names: string[] }>();

type RecordUse = Extract<CheckoutEffect, { type: 'record_use' }>;

/** A use of a promotion with a total or budget limit: it is taken from a quota (`grantQuotas`). */
export function isLimited(e: RecordUse): boolean {
  return e.maxUses !== null || e.budgetMinor !== null;
}

/** The decision's rows: entries, the lots its credits open, and changes to lots that existed before. */
function ledgerRows(
  storeId: string,
  decision: LedgerDecision | null,
): {
  entries: object[];
  lots: object[];
  changes: object[];
} {
  if (decision?.type !== 'append') return { entries: [], lots: [], changes: [] };
  // One change per lot (first `before`, last `after`); a lot opened by this write starts at its `after`.
  const byLot = new Map<string, { lot: string; before: number; after: number }>();
  for (const c of decision.lotChanges) {
    const seen = byLot.get(c.lot);
    byLot.set(c.lot, { lot: c.lot, before: seen ? seen.before : c.before, after: c.after });
  }
  const lots = decision.entries.filter(isCredit).map((e) => {
    const lot = rowObject(LOT_COLUMNS, lotRow(storeId, e));
    const change = byLot.get(e.key);
    byLot.delete(e.key);
    if (change) lot.remaining = change.after;
    return lot;
  });
  const entries = decision.entries.map((e) => rowObject(ENTRY_COLUMNS, entryRow(storeId, e)));
  return { entries, lots, changes: [...byLot.values()] };
}

/** The failed guards an error names (a part the statement did not hold failed nothing). */
function refusalOf(err: unknown): CommitRefusal | null {
  if (pgErrorCode(err) !== REFUSED) return null;
  const r = JSON.parse((err as Error).message) as Partial<Record<keyof CommitRefusal, unknown>>;
  const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
  return {
    codes: list(r.codes),
    gift: list(r.gift),
    ledger: r.ledger === true,
    changed: list(r.changed),
    promotions: list(r.promotions),
    quota: list(r.quota),
    customer: list(r.customer),
  };
}

/** Whether the commit writes the customer's uses row (a guest has none). */
const writesCustomerUses = (w: CommitWrite): boolean =>
  w.customerId !== null && w.effects.some((e) => e.type === 'record_use');

/**
 * The rows a written commit adds per table, for `noteRowsWritten` (planner statistics): its commit
 * row and stored evaluation, the customer's uses row, the ledger's entries, lots and events. The
 * codes, gift cards and shards it updates do not grow.
 */
export function commitRowsWritten(w: CommitWrite): Record<string, number> {
  return {
    checkout_commits: 1,
    checkout_commit_bodies: 1,
    customer_promotion_uses: writesCustomerUses(w) ? 1 : 0,
    ...ledgerRowsWritten(w.ledger),
  };
}

/**
 * Writes the commit. Returns false when the order was committed already (by a concurrent commit
 * that finished first): nothing was written. Throws `CommitRefused` when a guard failed.
 */
export async function writeCommit(q: Queryable, w: CommitWrite): Promise<boolean> {
  const ledger = ledgerRows(w.storeId, w.ledger);
  const events = w.ledger?.type === 'append' ? w.ledger.events : [];
  const of = <T extends CheckoutEffect['type']>(type: T) =>
    w.effects.filter((e): e is Extract<CheckoutEffect, { type: T }> => e.type === type);
  const uses = of('record_use');
  const unlimited = uses.filter((e) => !isLimited(e));
  const limited = uses.filter(isLimited);
  const codes = of('redeem_code');
  const gift = of('debit_gift_card');
  const shape: CommitShape = {
    customer: w.customerId !== null,
    codes: codes.length > 0,
    gift: gift.length > 0,
    entries: ledger.entries.length > 0,
    lots: ledger.lots.length > 0,
    changes: ledger.changes.length > 0,
    events: events.length > 0,
    unlimited: unlimited.length > 0,
    limited: limited.length > 0,
    customerUses: writesCustomerUses(w),
  };
  const values: Record<string, unknown> = {
    store: w.storeId,
    lock: w.customerId === null ? null : ledgerLockKey(w.storeId, w.customerId),
    order: w.order,
    customer: w.customerId,
    effects: JSON.stringify(w.effects),
    shown: JSON.stringify(w.shown),
    now: new Date(w.now).toISOString(),
    codes: codes.map((e) => e.code),
    gift_codes: gift.map((e) => e.code),
    gift_amounts: gift.map((e) => e.amountMinor),
    entries: JSON.stringify(ledger.entries),
    lots: JSON.stringify(ledger.lots),
    changes: JSON.stringify(ledger.changes),
    events: JSON.stringify(events.map(eventRecord)),
    u_ids: unlimited.map((e) => e.promotionId),
    u_discounts: unlimited.map((e) => e.discountMinor),
    l_ids: limited.map((e) => e.promotionId),
    l_discounts: limited.map((e) => e.discountMinor),
    c_ids: uses.map((e) => e.promotionId),
    c_max: uses.map((e) => e.maxUsesPerCustomer),
  };
  const name = statementName(shape);
  let statement = statements.get(name);
  if (statement === undefined) {
    statement = { name, ...numbered(commitStatement(shape), values) };
    statements.set(name, statement);
  }
  try {
    const res = await q.query<{ committed: boolean }>(
      statement.text,
      statement.names.map((n) => values[n]),
      statement.name,
    );
    return res.rows[0].committed;
  } catch (err) {
    const refusal = refusalOf(err);
    if (refusal) throw new CommitRefused(refusal, w.effects);
    throw err;
  }
}
