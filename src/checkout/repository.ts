/**
 * Checkout's database shell: builds the core's `CheckoutInput` from the store's data, and commits
 * or cancels an order's effects in one transaction. Every limit is enforced by a guarded
 * conditional update (`… where uses < max_uses`), so concurrent commits never exceed it; a guard
 * that fails rolls the whole commit back. The order's external id makes a commit idempotent.
 */

import type { z } from 'zod';
import type { Db, Queryable } from '../db/client.ts';
import { toApiShape } from '../http/api-shape.ts';
import { ComebackError, notFound } from '../kernel/errors.ts';
import { DAY_MS, utcOffsetMinutes } from '../kernel/time.ts';
import {
  applyDecision,
  EARNING_STATUSES,
  earnOperation,
  type LedgerDecision,
  type LedgerState,
  LoyaltyProgram,
  planLedgerOperation,
} from '../loyalty/index.ts';
import { applyLedgerDecision, findProgram, LedgerConflict, loadLedger } from '../loyalty/repository.ts';
import {
  type CheckoutEffect,
  type CheckoutEvaluation,
  type CheckoutInput,
  type CustomerContext,
  evaluateCheckout,
  normalizeCode,
  Promotion,
  type PromotionUsage,
} from '../promotions/index.ts';
import type { CheckoutCommitInput, CheckoutEvaluateInput } from './schemas.ts';

/** A guarded update found a limit reached: the commit is refused with this reason. */
export class CheckoutConflict extends Error {
  readonly reason: string;
  readonly path: string;
  constructor(reason: string, path: string, message: string) {
    super(message);
    this.name = 'CheckoutConflict';
    this.reason = reason;
    this.path = path;
  }

  toError(): ComebackError {
    return new ComebackError('CHECKOUT_CONFLICT', this.message, [{ path: this.path, message: this.reason }]);
  }
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * Parses stored configs (promotions, programs) once per distinct text: the same text always
 * parses to the same value, so an edit is a new text and never served stale. Values are frozen,
 * since evaluations share them.
 */
function parseCache<S extends z.ZodType>(schema: S): (text: string) => z.output<S> {
  const cache = new Map<string, z.output<S>>();
  return (text) => {
    let v = cache.get(text);
    if (v === undefined) {
      v = deepFreeze(schema.parse(JSON.parse(text)));
      if (cache.size > 5000) cache.clear();
      cache.set(text, v);
    }
    return v;
  };
}

const parsePromotion = parseCache(Promotion);

/**
 * Parsed promotions by store, keyed `id@xmin` (the row version): the evaluation sends the keys it
 * holds and gets configs only for the others, so an unchanged promotion's config is neither
 * serialised, sent nor parsed again. Counters of unlimited promotions live in shards, so their
 * rows (and keys) stay put under load.
 */
const promotionsByVersion = new Map<string, Map<string, Promotion>>();

function knownPromotions(storeId: string): Map<string, Promotion> {
  let m = promotionsByVersion.get(storeId);
  if (m === undefined) {
    if (promotionsByVersion.size > 1000) promotionsByVersion.clear();
    m = new Map();
    promotionsByVersion.set(storeId, m);
  }
  return m;
}
const parseProgram = parseCache(LoyaltyProgram);

interface ContextRow {
  timezone: string | null;
  program: string | null;
  promotions: { id: string; version: string; config: string | null; uses: number; spent: number }[];
  codes: {
    code: string;
    promotion_id: string;
    customer_id: string | null;
    redeemed_at: string | null;
    balance_minor: number | null;
    expires_at: string | null;
  }[];
  products: { external_id: string; sku: string | null; category: string | null }[];
  customer: { id: string; birthday: string | null; tags: string[]; tier: string | null } | null;
  stats: { orders: number; rolling_orders: number; rolling_spend: number } | null;
  scores: { rfm_segment: string; lifecycle_stage: string } | null;
  uses: Record<string, number> | null;
  available_points: number;
}

/**
 * Everything an evaluation reads, in one statement (one round trip instead of ten: the per-query
 * cost dominated evaluate). The parts mirror the repositories they stand for: the points available
 * are `ledgerBalance(…).available` over the ledger's lots (`loyalty_lots` keeps what is left of
 * each, the ledger's own projection), not its 50 or 5,000 entries; the promotions are the active
 * automatic and shared-code ones plus those of the typed generated codes; the rolling window is
 * the tier program's.
 */
/** The order statuses that count as bought: loyalty's EARNING_STATUSES, as an SQL list. */
const PAID = `(${EARNING_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * A customer's committed checkouts whose order has not arrived through ingestion yet ($C the
 * customer, $O an order to leave out): with the stored orders, what "first order" rules count.
 */
const PLACED_COMMITS_SQL = `select count(*) from checkout_commits k
  where k.store_id = $1 and k.customer_id = $C and k.state = 'committed' and k.order_external_id <> $O
    and not exists (select 1 from orders o where o.store_id = $1 and o.external_id = k.order_external_id)`;

const CONTEXT_SQL = `
with c as (
  -- The tier the loyalty job stored (customer_tiers) comes with the customer.
  select c.id, c.birthday, c.tags, t.tier from customers c
  left join customer_tiers t on t.store_id = c.store_id and t.customer_id = c.id
  where c.store_id = $1 and $5::text is not null and (case when $6 then c.id = $5 else c.external_id = $5 end)
), prog as (
  select config from loyalty_programs where store_id = $1
), typed as (
  select code, promotion_id, customer_id, redeemed_at, balance_minor, expires_at from promotion_codes
  where store_id = $1 and code = any($2::text[])
)
select
  (select timezone from stores where id = $1) as timezone,
  (select config::text from prog) as program,
  (select coalesce(json_agg(json_build_object('id', id, 'version', xmin::text, 'uses', uses, 'spent', budget_spent_minor,
       'config', case when id || '@' || xmin::text = any($8::text[]) then null else config::text end)), '[]'::json)
     from promotions where store_id = $1 and status = 'active'
       and (config->'trigger'->>'type' in ('automatic', 'code') or id in (select promotion_id from typed))) as promotions,
  (select coalesce(json_agg(typed), '[]'::json) from typed) as codes,
  (select coalesce(json_agg(json_build_object('external_id', external_id, 'sku', sku, 'category', category)), '[]'::json)
     from products where store_id = $1 and (external_id = any($3::text[]) or sku = any($4::text[]))) as products,
  (select row_to_json(c) from c) as customer,
  -- Paid orders (as loyalty's EARNING_STATUSES), plus the checkout commits the shop has not sent yet.
  (select json_build_object(
       'orders', count(*) + (${PLACED_COMMITS_SQL.replaceAll('$C', '(select id from c)').replaceAll('$O', "''")}),
       'rolling_orders', count(*) filter (where placed_at >= w.since),
       'rolling_spend', coalesce(sum(total_minor - refunded_minor) filter (where placed_at >= w.since), 0))
     from orders,
       (select $7::timestamptz - make_interval(days => coalesce(((select config from prog)->'tiers'->>'windowDays')::int, 365)) as since) w
     where store_id = $1 and customer_id = (select id from c) and status in ${PAID}) as stats,
  (select json_build_object('rfm_segment', rfm_segment, 'lifecycle_stage', lifecycle_stage)
     from customer_scores where store_id = $1 and customer_id = (select id from c)) as scores,
  (select json_object_agg(promotion_id, uses) from promotion_customer_uses
     where store_id = $1 and customer_id = (select id from c) and uses > 0) as uses,
  (select coalesce(sum(remaining), 0) from loyalty_lots
     where store_id = $1 and customer_id = (select id from c) and remaining > 0
       and available_at <= $7::timestamptz and (expires_at is null or expires_at > $7::timestamptz)) as available_points`;

const GUEST: CustomerContext = {
  customerId: null,
  tier: null,
  segments: [],
  orderCount: 0,
  birthday: null,
  promotionUses: {},
  availablePoints: 0,
  rolling: { spendMinor: 0, orderCount: 0 },
};

function customerOf(row: ContextRow): CustomerContext {
  const c = row.customer;
  if (c === null) return GUEST;
  const segments = [...c.tags];
  if (row.scores) segments.push(row.scores.rfm_segment, row.scores.lifecycle_stage);
  const s = row.stats ?? { orders: 0, rolling_orders: 0, rolling_spend: 0 };
  return {
    customerId: c.id,
    tier: c.tier,
    segments,
    orderCount: s.orders,
    birthday:
      c.birthday === null
        ? null
        : { month: Number(c.birthday.slice(5, 7)), day: Number(c.birthday.slice(8, 10)) },
    promotionUses: row.uses ?? {},
    availablePoints: Number(row.available_points),
    rolling: { spendMinor: Number(s.rolling_spend), orderCount: s.rolling_orders },
  };
}

/** The active promotions: those known at their version, the others parsed (and remembered, replacing older versions). */
function promotionsOf(
  known: Map<string, Promotion>,
  sent: ReadonlyMap<string, Promotion>,
  rows: ContextRow['promotions'],
): Promotion[] {
  const out: Promotion[] = [];
  const current = new Set<string>();
  for (const r of rows) {
    const key = `${r.id}@${r.version}`;
    current.add(key);
    let p = sent.get(key);
    if (p === undefined) {
      // Not announced, so the config came along.
      p = parsePromotion(r.config as string);
      known.set(key, p);
    }
    out.push(p);
  }
  // Versions no longer active go, so the keys sent stay as many as the active promotions.
  if (known.size > rows.length) for (const k of known.keys()) if (!current.has(k)) known.delete(k);
  return out;
}

/** Everything `evaluateCheckout` needs, from the store's data. */
export async function buildCheckoutInput(
  q: Queryable,
  storeId: string,
  body: CheckoutEvaluateInput,
  now: number,
): Promise<CheckoutInput> {
  const codes = [...new Set(body.codes.map(normalizeCode).filter((c) => c !== ''))];
  const skus = body.lines.flatMap((l) => (l.product_external_id === undefined && l.sku ? [l.sku] : []));
  const externals = body.lines.flatMap((l) => (l.product_external_id ? [l.product_external_id] : []));
  const ref = body.customer;
  const idOrExternal = ref === null ? null : (ref.id ?? (ref.external_id as string));
  const known = knownPromotions(storeId);
  // What this evaluation announces it knows; kept apart, as a concurrent one may prune `known`.
  const sent = new Map(known);
  // Prepared: planning this statement took longer than running it (1.7 ms against 1.2 ms).
  const res = await q.query<ContextRow>(
    CONTEXT_SQL,
    [
      storeId,
      codes,
      externals,
      skus,
      idOrExternal,
      ref !== null && ref.id !== undefined,
      new Date(now).toISOString(),
      [...sent.keys()],
    ],
    'checkout_context',
  );
  const row = res.rows[0];
  if (idOrExternal !== null && row.customer === null) throw notFound('Customer', idOrExternal);
  const program = row.program === null ? null : parseProgram(row.program);
  const byExternal = new Map(row.products.map((p) => [p.external_id, p]));
  const bySku = new Map(row.products.filter((p) => p.sku !== null).map((p) => [p.sku as string, p]));
  const lines = body.lines.map((l, i) => {
    const p =
      l.product_external_id !== undefined
        ? byExternal.get(l.product_external_id)
        : bySku.get(l.sku as string);
    return {
      id: String(i),
      // Promotions name products by the store's own ids (external ids).
      productId: p?.external_id ?? l.product_external_id ?? (l.sku as string),
      sku: l.sku ?? p?.sku ?? null,
      categoryIds: p?.category ? [p.category] : [],
      quantity: l.quantity,
      unitPriceMinor: l.unit_price_minor,
    };
  });
  const usage: Record<string, PromotionUsage> = {};
  for (const r of row.promotions) usage[r.id] = { uses: r.uses, spentMinor: Number(r.spent) };
  return {
    customer: customerOf(row),
    currency: body.currency,
    channel: body.channel,
    lines,
    shippingMinor: body.shipping_minor,
    codes: body.codes,
    points: body.points,
    now,
    utcOffsetMinutes: utcOffsetMinutes(row.timezone ?? 'UTC', now),
    promotions: promotionsOf(known, sent, row.promotions),
    usage,
    codeRecords: row.codes.map((r) => ({
      code: r.code,
      promotionId: r.promotion_id,
      customerId: r.customer_id,
      redeemed: r.redeemed_at !== null,
      balanceMinor: r.balance_minor === null ? null : Number(r.balance_minor),
      expiresAt: r.expires_at === null ? null : new Date(r.expires_at).getTime(),
    })),
    loyalty: program,
  };
}

/** The evaluation as the API returns it; line ids are the indexes of the request's lines. */
export function evaluationBody(e: CheckoutEvaluation): Record<string, unknown> {
  const { effects: _effects, ...rest } = e;
  return toApiShape(rest) as Record<string, unknown>;
}

export async function evaluateForStore(
  db: Queryable,
  storeId: string,
  body: CheckoutEvaluateInput,
  now: number,
): Promise<CheckoutEvaluation> {
  return evaluateCheckout(await buildCheckoutInput(db, storeId, body, now));
}

export interface CommitResult {
  duplicate: boolean;
  orderExternalId: string;
  state: 'committed' | 'cancelled';
  evaluation: unknown;
}

interface CommitRow {
  order_external_id: string;
  state: 'committed' | 'cancelled';
  evaluation: unknown;
}

async function findCommit(q: Queryable, storeId: string, order: string): Promise<CommitRow | null> {
  const res = await q.query<CommitRow>(
    'select order_external_id, state, evaluation from checkout_commits where store_id = $1 and order_external_id = $2',
    [storeId, order],
  );
  return res.rows[0] ?? null;
}

function duplicateOf(row: CommitRow): CommitResult {
  return {
    duplicate: true,
    orderExternalId: row.order_external_id,
    state: row.state,
    evaluation: row.evaluation,
  };
}

/**
 * Effects in a fixed order so concurrent commits and cancels lock rows alike: codes, then the
 * customer's points, then promotions by id. The promotions' counters are the rows every order
 * shares, so they come last: each is held only from its update to the transaction's end.
 */
function lockOrder(effects: readonly CheckoutEffect[]): CheckoutEffect[] {
  const rank = (e: CheckoutEffect) =>
    e.type === 'redeem_code' || e.type === 'debit_gift_card' ? 0 : e.type === 'redeem_points' ? 1 : 2;
  const key = (e: CheckoutEffect) =>
    e.type === 'record_use' ? e.promotionId : e.type === 'redeem_points' ? e.customerId : e.code;
  return [...effects].sort((a, b) => rank(a) - rank(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function pointsKey(storeId: string, order: string, what: 'redeem' | 'cancel'): string {
  return `checkout:${storeId}:${order}:${what}`;
}

/** A redemption planned under the ledger lock, to be written together with the order's earning. */
interface PlannedRedemption {
  decision: LedgerDecision;
  after: LedgerState;
}

/** Two ledger decisions of one customer as one write (the second planned on the state after the first). */
function bothDecisions(a: LedgerDecision | null, b: LedgerDecision | null): LedgerDecision | null {
  if (a?.type !== 'append') return b;
  if (b?.type !== 'append') return a;
  return {
    type: 'append',
    entries: [...a.entries, ...b.entries],
    lotChanges: [...a.lotChanges, ...b.lotChanges],
    events: [...a.events, ...b.events],
  };
}

async function applyEffect(
  q: Queryable,
  storeId: string,
  order: string,
  e: Exclude<CheckoutEffect, RecordUse>,
  now: number,
  path: string,
): Promise<PlannedRedemption | null> {
  switch (e.type) {
    case 'redeem_code': {
      const upd = await q.query(
        `update promotion_codes set redeemed_at = $3 where store_id = $1 and code = $2 and redeemed_at is null returning code`,
        [storeId, e.code, new Date(now).toISOString()],
      );
      if (upd.rows.length === 0) throw new CheckoutConflict('code_used', path, 'The code has been used');
      return null;
    }
    case 'debit_gift_card': {
      const upd = await q.query(
        `update promotion_codes set balance_minor = balance_minor - $3
         where store_id = $1 and code = $2 and balance_minor >= $3 returning code`,
        [storeId, e.code, e.amountMinor],
      );
      if (upd.rows.length === 0)
        throw new CheckoutConflict('gift_card_empty', path, "The gift card's balance is too low");
      return null;
    }
    case 'redeem_points': {
      const state = await loadLedger(q, storeId, e.customerId, true);
      const decision = planLedgerOperation(state, {
        type: 'redeem',
        key: pointsKey(storeId, order, 'redeem'),
        orderId: order,
        points: e.points,
        at: now,
      });
      if (decision.type === 'rejected')
        throw new CheckoutConflict(
          'insufficient_points',
          'points',
          'The customer no longer has these points',
        );
      // Written with the order's earning (one write for both); the earning plans on the state after it.
      return { decision, after: applyDecision(state, decision) };
    }
  }
}

type RecordUse = Extract<CheckoutEffect, { type: 'record_use' }>;

/** Shards of an unlimited promotion's counters; an order always counts in the same one (cancel finds it). */
const USE_SHARDS = 16;

function shardOf(order: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < order.length; i++) h = Math.imul(h ^ order.charCodeAt(i), 0x01000193);
  return (h >>> 0) % USE_SHARDS;
}

/**
 * Counts the uses of promotions without a total or budget limit in the order's shard, so busy
 * promotions do not make every order wait on one row. Each is checked to be still active and
 * unlimited under a key-share lock (an edit, which locks the row for update, waits for it and
 * then folds the shards). Returns those that no longer qualify, for the guarded path.
 */
async function recordUnlimitedUses(
  q: Queryable,
  storeId: string,
  order: string,
  uses: readonly RecordUse[],
): Promise<RecordUse[]> {
  if (uses.length === 0) return [];
  const res = await q.query<{ promotion_id: string }>(
    `with want as (select * from unnest($2::text[], $3::bigint[]) as w(id, discount)),
     ok as (
       select p.id from promotions p join want w on w.id = p.id
       where p.store_id = $1 and p.status = 'active' and p.max_uses is null and p.budget_minor is null
       order by p.id for key share of p
     )
     insert into promotion_use_shards (store_id, promotion_id, shard, uses, spent_minor)
     select $1, w.id, $4, 1, w.discount from want w where w.id in (select id from ok) order by w.id
     on conflict (store_id, promotion_id, shard) do update
       set uses = promotion_use_shards.uses + 1, spent_minor = promotion_use_shards.spent_minor + excluded.spent_minor
     returning promotion_id`,
    [storeId, uses.map((e) => e.promotionId), uses.map((e) => e.discountMinor), shardOf(order)],
    'checkout_unlimited_uses',
  );
  const done = new Set(res.rows.map((r) => r.promotion_id));
  return uses.filter((e) => !done.has(e.promotionId));
}

/**
 * Takes one use (and the discount from the budget) of every promotion the order used: unlimited
 * ones in the order's shard, limited ones on their row, all at once, locked in id order and
 * guarded by their limits; then the customer's uses, guarded by the per-customer limits. A guard
 * that fails names its promotion and rolls the commit back.
 */
async function recordUses(
  q: Queryable,
  storeId: string,
  order: string,
  all: readonly RecordUse[],
  pathOf: (e: RecordUse) => string,
): Promise<void> {
  if (all.length === 0) return;
  const unlimited = all.filter((e) => e.maxUses === null && e.budgetMinor === null);
  const uses = [
    ...all.filter((e) => e.maxUses !== null || e.budgetMinor !== null),
    ...(await recordUnlimitedUses(q, storeId, order, unlimited)),
  ];
  const ids = uses.map((e) => e.promotionId);
  const upd = await (uses.length === 0
    ? Promise.resolve({ rows: [] as { id: string }[] })
    : q.query<{ id: string }>(
        `with want as (select * from unnest($2::text[], $3::bigint[]) as w(id, discount)),
     locked as (
       select p.id from promotions p join want w on w.id = p.id where p.store_id = $1 order by p.id for update of p
     )
     update promotions p set uses = p.uses + 1, budget_spent_minor = p.budget_spent_minor + w.discount, updated_at = now()
     from want w
     where p.store_id = $1 and p.id = w.id and p.id in (select id from locked) and p.status = 'active'
       and (p.max_uses is null or p.uses < p.max_uses)
       and (p.budget_minor is null or p.budget_spent_minor + w.discount <= p.budget_minor)
     returning p.id`,
        [storeId, ids, uses.map((e) => e.discountMinor)],
        'checkout_limited_uses',
      ));
  if (upd.rows.length < uses.length) {
    const done = new Set(upd.rows.map((r) => r.id));
    const e = uses.find((u) => !done.has(u.promotionId)) as RecordUse;
    const cur = await q.query<{ status: string; uses: number; max_uses: number | null }>(
      'select status, uses, max_uses from promotions where store_id = $1 and id = $2',
      [storeId, e.promotionId],
    );
    const r = cur.rows[0];
    if (r?.status !== 'active') throw new CheckoutConflict('expired', pathOf(e), 'The promotion has ended');
    if (r.max_uses !== null && r.uses >= r.max_uses)
      throw new CheckoutConflict('usage_limit_reached', pathOf(e), 'The promotion has been used up');
    throw new CheckoutConflict('budget_exhausted', pathOf(e), "The promotion's budget is spent");
  }
  const customerId = all[0].customerId;
  if (customerId === null) return;
  const allIds = all.map((e) => e.promotionId);
  const per = await q.query<{ promotion_id: string }>(
    `with want as (select * from unnest($2::text[], $4::int[]) as w(id, max_uses))
     insert into promotion_customer_uses (store_id, promotion_id, customer_id, uses)
     select $1, id, $3, 1 from want order by id
     on conflict (store_id, promotion_id, customer_id) do update set uses = promotion_customer_uses.uses + 1
     where promotion_customer_uses.uses < coalesce(
       (select w.max_uses from want w where w.id = promotion_customer_uses.promotion_id), 2147483647)
     returning promotion_id`,
    [storeId, allIds, customerId, all.map((e) => e.maxUsesPerCustomer)],
    'checkout_customer_uses',
  );
  if (per.rows.length < all.length) {
    const done = new Set(per.rows.map((r) => r.promotion_id));
    const e = all.find((u) => !done.has(u.promotionId)) as RecordUse;
    throw new CheckoutConflict(
      'usage_limit_reached',
      pathOf(e),
      'The customer has used this promotion as often as allowed',
    );
  }
}

/** Where an effect came from in the request, for the error's path. */
function effectPath(e: CheckoutEffect, body: CheckoutEvaluateInput): string {
  if (e.type === 'redeem_points') return 'points';
  const code = e.code;
  if (code === null) return 'promotions';
  const i = body.codes.findIndex((c) => normalizeCode(c) === code);
  return i >= 0 ? `codes[${i}]` : 'codes';
}

/**
 * Commits an order: evaluates the cart, refuses it when a typed code or the points were refused,
 * then applies every effect in one transaction. The same order again returns the first commit.
 */
/**
 * The evaluation took this customer's order for their first. Two first orders committed at once
 * would both get first-order rewards: under a per-customer lock (taken before any other lock of
 * the commit), count again; if an order was placed meanwhile and that changes the outcome, refuse
 * (the shop evaluates again).
 */
async function confirmFirstOrder(
  q: Queryable,
  storeId: string,
  customerId: string,
  order: string,
  input: CheckoutInput,
  evaluation: CheckoutEvaluation,
): Promise<void> {
  await q.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `first-order:${storeId}:${customerId}`,
  ]);
  const res = await q.query<{ n: number }>(
    `select ((select count(*) from orders where store_id = $1 and customer_id = $2 and status in ${PAID}
       and external_id <> $3) + (${PLACED_COMMITS_SQL.replaceAll('$C', '$2').replaceAll('$O', '$3')}))::int as n`,
    [storeId, customerId, order],
  );
  const placed = Number(res.rows[0].n);
  if (placed === 0) return;
  const again = evaluateCheckout({ ...input, customer: { ...input.customer, orderCount: placed } });
  if (JSON.stringify(evaluationBody(again)) !== JSON.stringify(evaluationBody(evaluation)))
    throw new CheckoutConflict(
      'not_first_order',
      'customer',
      'The customer placed another order meanwhile, so this is no longer their first: evaluate again',
    );
}

export async function commitCheckout(
  db: Db,
  storeId: string,
  body: CheckoutCommitInput,
  now: number,
): Promise<CommitResult> {
  const order = body.order_external_id;
  const seen = await findCommit(db, storeId, order);
  if (seen) return duplicateOf(seen);
  const input = await buildCheckoutInput(db, storeId, body, now);
  const evaluation = evaluateCheckout(input);
  const refused = evaluation.rejectedCodes[0];
  if (refused) {
    const i = body.codes.indexOf(refused.code);
    throw new CheckoutConflict(refused.reason, i >= 0 ? `codes[${i}]` : 'codes', refused.message).toError();
  }
  if (evaluation.points.rejection)
    throw new CheckoutConflict(
      evaluation.points.rejection.reason,
      'points',
      `The points could not be used: ${evaluation.points.rejection.reason}`,
    ).toError();
  const shown = evaluationBody(evaluation);
  const customerId = input.customer.customerId;
  try {
    return await db.tx(async (q) => {
      const ins = await q.query(
        `insert into checkout_commits (store_id, order_external_id, state, customer_id, effects, evaluation, committed_at)
         values ($1, $2, 'committed', $3, $4::jsonb, $5::jsonb, $6) on conflict do nothing returning order_external_id`,
        [
          storeId,
          order,
          customerId,
          JSON.stringify(evaluation.effects),
          JSON.stringify(shown),
          new Date(now).toISOString(),
        ],
      );
      if (ins.rows.length === 0) {
        // Another commit of this order won (it waited on that one's transaction to finish).
        const row = await findCommit(q, storeId, order);
        if (!row)
          throw new CheckoutConflict(
            'concurrent_commit',
            'order_external_id',
            'The order is being committed',
          );
        return duplicateOf(row);
      }
      if (customerId !== null && input.customer.orderCount === 0)
        await confirmFirstOrder(q, storeId, customerId, order, input, evaluation);
      const ordered = lockOrder(evaluation.effects);
      let redemption: PlannedRedemption | null = null;
      for (const e of ordered)
        if (e.type !== 'record_use')
          redemption = (await applyEffect(q, storeId, order, e, now, effectPath(e, body))) ?? redemption;
      const toEarn = evaluation.points.toEarn?.points ?? 0;
      let earning: LedgerDecision | null = null;
      if (input.loyalty !== null && customerId !== null && toEarn > 0) {
        // The order's points, pending through the return window; keyed `earn:<order external id>`.
        // A redemption is always the committing customer's (evaluate makes it for them).
        const state = redemption?.after ?? (await loadLedger(q, storeId, customerId, true));
        earning = planLedgerOperation(state, earnOperation(input.loyalty, order, toEarn, now));
      }
      const ledgerWrite = bothDecisions(redemption?.decision ?? null, earning);
      if (ledgerWrite) await applyLedgerDecision(q, storeId, ledgerWrite);
      await recordUses(
        q,
        storeId,
        order,
        ordered.filter((e): e is RecordUse => e.type === 'record_use'),
        (e) => effectPath(e, body),
      );
      return { duplicate: false, orderExternalId: order, state: 'committed' as const, evaluation: shown };
    });
  } catch (err) {
    if (err instanceof CheckoutConflict) throw err.toError();
    // Cannot happen under the per-customer lock; if it does, the points changed under us: refuse, never 500.
    if (err instanceof LedgerConflict)
      throw new CheckoutConflict('insufficient_points', 'points', err.message).toError();
    throw err;
  }
}

/** Releases what a committed order took: uses, budget, per-customer uses, codes, gift card balance, points. */
export async function cancelCheckout(
  db: Db,
  storeId: string,
  order: string,
  now: number,
): Promise<CommitResult> {
  return db.tx(async (q) => {
    const res = await q.query<CommitRow & { effects: CheckoutEffect[]; customer_id: string | null }>(
      `select order_external_id, state, evaluation, effects, customer_id from checkout_commits
       where store_id = $1 and order_external_id = $2 for update`,
      [storeId, order],
    );
    const row = res.rows[0];
    if (!row) throw notFound('Checkout commit', order);
    if (row.state === 'cancelled') return duplicateOf(row);
    // Locks in the order a commit takes them: codes and gift cards, the ledger, the promotions' counters.
    const ordered = lockOrder(row.effects);
    for (const e of ordered) {
      if (e.type === 'redeem_code') {
        await q.query('update promotion_codes set redeemed_at = null where store_id = $1 and code = $2', [
          storeId,
          e.code,
        ]);
      } else if (e.type === 'debit_gift_card') {
        await q.query(
          'update promotion_codes set balance_minor = balance_minor + $3 where store_id = $1 and code = $2',
          [storeId, e.code, e.amountMinor],
        );
      }
    }
    if (row.customer_id !== null) {
      // A full refund of the order in the ledger: redeemed points come back, earned ones are reversed.
      const program = await findProgram(q, storeId);
      const state = await loadLedger(q, storeId, row.customer_id, true);
      const expiryDays = program ? program.expiryDays : null;
      const decision = planLedgerOperation(state, {
        type: 'refund',
        key: pointsKey(storeId, order, 'cancel'),
        orderId: order,
        refundId: `cancel:${order}`,
        orderTotalMinor: 1,
        refundedTotalMinor: 1,
        at: now,
        returnedExpiresAt: expiryDays === null ? null : now + expiryDays * DAY_MS,
      });
      await applyLedgerDecision(q, storeId, decision);
    }
    for (const e of ordered) {
      if (e.type === 'record_use') {
        // Counted in the order's shard, unless an edit has folded the shards into the row since.
        const shard = await q.query(
          `update promotion_use_shards set uses = uses - 1, spent_minor = greatest(spent_minor - $4, 0)
           where store_id = $1 and promotion_id = $2 and shard = $3 and uses > 0 returning shard`,
          [storeId, e.promotionId, shardOf(order), e.discountMinor],
        );
        if (shard.rows.length === 0)
          await q.query(
            `update promotions set uses = greatest(uses - 1, 0),
             budget_spent_minor = greatest(budget_spent_minor - $3, 0), updated_at = now()
           where store_id = $1 and id = $2`,
            [storeId, e.promotionId, e.discountMinor],
          );
        if (e.customerId !== null)
          await q.query(
            `update promotion_customer_uses set uses = greatest(uses - 1, 0)
             where store_id = $1 and promotion_id = $2 and customer_id = $3`,
            [storeId, e.promotionId, e.customerId],
          );
      }
    }
    await q.query(
      `update checkout_commits set state = 'cancelled', cancelled_at = $3 where store_id = $1 and order_external_id = $2`,
      [storeId, order, new Date(now).toISOString()],
    );
    return {
      duplicate: false,
      orderExternalId: order,
      state: 'cancelled' as const,
      evaluation: row.evaluation,
    };
  });
}
