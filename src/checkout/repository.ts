/**
 * Checkout's database shell: builds the core's `CheckoutInput` from the store's data, commits an
 * order's effects in one guarded statement (commit-write.ts) and cancels them in one transaction.
 * Every limit is enforced by a guarded conditional write (`… where uses < max_uses`), so concurrent
 * commits never exceed it; a guard that fails undoes the whole commit. The order's external id
 * makes a commit idempotent.
 */

import type { z } from 'zod';
import { noteRowsWritten, withInsertRetry } from '../db/bulk.ts';
import { type Db, epochMs, PG_DEADLOCK, pgErrorCode, type Queryable } from '../db/client.ts';
import { toApiShape } from '../http/api-shape.ts';
import { ComebackError, notFound } from '../kernel/errors.ts';
import { utcOffsetMinutes } from '../kernel/time.ts';
import {
  applyDecision,
  type CreditKind,
  EARNING_STATUSES,
  earnOperation,
  type LedgerDecision,
  type LedgerState,
  LoyaltyProgram,
  ledgerForSpending,
  planLedgerOperation,
} from '../loyalty/index.ts';
import { applyLedgerDecision, loadLedger, lockLedger } from '../loyalty/repository.ts';
import { membershipsHolding, storedTierAt } from '../loyalty/tier-repository.ts';
import {
  type CheckoutEffect,
  type CheckoutEvaluation,
  type CheckoutInput,
  type CustomerContext,
  evaluateCheckout,
  giveBackUses,
  normalizeCode,
  Promotion,
  type PromotionUsage,
} from '../promotions/index.ts';
import { findPromotion, grantQuotas, type QuotaRefusal } from '../promotions/repository.ts';
import {
  CommitRefused,
  type CommitWrite,
  commitRowsWritten,
  isLimited,
  NOTHING_REFUSED,
  writeCommit,
} from './commit-write.ts';
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
  customer: {
    id: string;
    birthday: string | null;
    tags: string[];
    tier: string | null;
    earned_tier: string | null;
    /** Tier, start and end (epoch ms) of memberships not ended, when the stored tier is a membership's. */
    memberships: [string, number, number][] | null;
  } | null;
  stats: { orders: number; rolling_orders: number; rolling_spend: number } | null;
  scores: { rfm_segment: string; lifecycle_stage: string } | null;
  uses: Record<string, number> | null;
  /** Absent from a redeeming commit's read: the sum of its live lots. */
  available_points?: number;
  commit: CommitRow | null;
  /** key, order, kind, points, remaining, at, available at, expires at (epoch ms). */
  live_lots: [string, string | null, CreditKind, number, number, number, number, number | null][] | null;
  written: string[] | null;
}

/** The order statuses that count as bought: loyalty's EARNING_STATUSES, as an SQL list. */
const PAID = `(${EARNING_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Marks the commits of orders that arrived through ingestion, in the ingesting transaction: they
 * leave the pending commits first-order rules count (an order that arrived before its commit is
 * marked by the commit itself).
 */
export async function markOrdersArrived(
  q: Queryable,
  storeId: string,
  orders: readonly string[],
): Promise<void> {
  if (orders.length === 0) return;
  await q.query(
    `update checkout_commits set arrived = true
     where store_id = $1 and order_external_id = any($2::text[]) and not arrived`,
    [storeId, orders],
  );
}

/**
 * A limited promotion's uses taken from quotas are counted in the shards. What it has handed out
 * (reserved) bounds them from above and decides the same (limit not reached, budget left above
 * any discount of this cart: $9) unless it is near a limit: only then are the shards read.
 */
const NEAR_LIMIT = `((p.max_uses is not null and p.uses + p.reserved_uses >= p.max_uses)
  or (p.budget_minor is not null and p.budget_minor - p.budget_spent_minor - p.reserved_minor < $9::int8))`;

/**
 * The active promotions an evaluation may apply (automatic and shared-code ones, and those of the
 * typed generated codes), and the shards' counts of those near a limit, summed once for all of
 * them. Not a lateral join per promotion: PostgreSQL re-initialises a rescanned scan of the shards
 * (a file-size system call each) even when its one-time filter then skips it.
 */
const ACTIVE_PROMOTIONS = `, active as materialized (
  select p.id, p.xmin::text as version, p.config, p.uses, p.reserved_uses, p.budget_spent_minor,
    p.reserved_minor, ${NEAR_LIMIT} as near
  from promotions p
  where p.store_id = $1 and p.status = 'active'
    and (p.config->'trigger'->>'type' in ('automatic', 'code') or p.id in (select promotion_id from typed))
), shard_uses as materialized (
  select u.key as id, sum((u.value->>0)::int8) as uses, sum((u.value->>1)::int8) as minor
  from promotion_use_counts s cross join lateral jsonb_each(s.uses) u
  where s.store_id = $1 and exists (select 1 from active where near)
    and u.key in (select id from active where near)
  group by u.key
)`;

/** The customer's lots `l` that can be spent at $7 (the ledger's isSpendable): what available points sum and a redemption reads. */
const SPENDABLE_LOTS = `l.store_id = $1 and l.customer_id = (select id from c) and l.remaining > 0
       and l.available_at <= $7::timestamptz and (l.expires_at is null or l.expires_at > $7::timestamptz)`;

/**
 * Everything an evaluation reads, in one statement (one round trip instead of ten: the per-query
 * cost dominated evaluate). The parts mirror the repositories they stand for: the points available
 * are `ledgerBalance(…).available` over the ledger's lots (`loyalty_lots` keeps what is left of
 * each, the ledger's own projection), not its 50 or 5,000 entries; the promotions are the active
 * automatic and shared-code ones plus those of the typed generated codes; the rolling window is
 * the tier program's.
 */
const CONTEXT_BASE = `
with c as (
  -- The tier the loyalty job stored (customer_tiers) comes with the customer; when it is a paid
  -- membership's (above the tier earned), the memberships not ended yet come too: one that ended
  -- since the job ran no longer counts (tierInForce).
  select c.id, c.birthday, c.tags, t.tier, t.earned_tier,
    ${membershipsHolding('t', 'c.store_id', 'c.id', '$7::timestamptz')} as memberships
  from customers c
  left join customer_tiers t on t.store_id = c.store_id and t.customer_id = c.id
  -- By id, or by external id through its unique index (a CASE around the two would scan the store).
  where c.store_id = $1 and c.id = (case when $6 then $5::text
    else (select x.id from customers x where x.store_id = $1 and x.external_id = $5::text) end)
), prog as (
  select config from loyalty_programs where store_id = $1
), typed as (
  select code, promotion_id, customer_id, redeemed_at, balance_minor, expires_at from promotion_codes
  where store_id = $1 and code = any($2::text[])
)${ACTIVE_PROMOTIONS}
select
  (select timezone from stores where id = $1) as timezone,
  (select config::text from prog) as program,
  (select coalesce(json_agg(json_build_object('id', a.id, 'version', a.version,
       'uses', a.uses + case when a.near then coalesce(sh.uses, 0) else a.reserved_uses end,
       'spent', a.budget_spent_minor + case when a.near then coalesce(sh.minor, 0) else a.reserved_minor end,
       'config', case when a.id || '@' || a.version = any($8::text[]) then null else a.config::text end)), '[]'::json)
     from active a left join shard_uses sh on sh.id = a.id) as promotions,
  (select coalesce(json_agg(typed), '[]'::json) from typed) as codes,
  (select coalesce(json_agg(json_build_object('external_id', external_id, 'sku', sku, 'category', category)), '[]'::json)
     -- Each list through its own index (one OR of the two scanned the store's catalogue).
     from (select external_id, sku, category from products where store_id = $1 and external_id = any($3::text[])
           union
           select external_id, sku, category from products where store_id = $1 and sku = any($4::text[])) p) as products,
  (select row_to_json(c) from c) as customer,
  -- Paid orders (as loyalty's EARNING_STATUSES), plus the customer's committed checkouts whose
  -- order has not arrived through ingestion yet: what "first order" rules count.
  (select json_build_object(
       'orders', count(*) + (select count(*) from checkout_commits k
         where k.store_id = $1 and k.customer_id = (select id from c) and k.state = 'committed' and not k.arrived
           -- A probe of the orders' unique index per pending commit: as NOT EXISTS, the generic
           -- plan hashed every order of the store on each call.
           and (select true from orders o where o.store_id = $1 and o.external_id = k.order_external_id) is null),
       'rolling_orders', count(*) filter (where placed_at >= w.since),
       -- Spend counts in the program's currency only (as the tier job counts it).
       'rolling_spend', coalesce(sum(total_minor - refunded_minor)
         filter (where placed_at >= w.since and currency = (select config->>'currency' from prog)), 0))
     from orders,
       (select $7::timestamptz - make_interval(days => coalesce(((select config from prog)->'tiers'->>'windowDays')::int, 365)) as since) w
     -- A commit leaves out its own order (arrived already, it is not an order before it).
     where store_id = $1 and customer_id = (select id from c) and status in ${PAID} @own) as stats,
  (select json_build_object('rfm_segment', rfm_segment, 'lifecycle_stage', lifecycle_stage)
     from customer_scores where store_id = $1 and customer_id = (select id from c)) as scores,
  (select uses from customer_promotion_uses
     where store_id = $1 and customer_id = (select id from c)) as uses`;

/** The points the customer can spend now; a redeeming commit sums the lots it reads instead. */
const AVAILABLE_POINTS = `,
  (select coalesce(sum(l.remaining), 0) from loyalty_lots l
     where ${SPENDABLE_LOTS}) as available_points`;

/** Commits `k` with their bodies `b` (effects and evaluation, stored apart: migration 0018). */
const COMMIT_WITH_BODY =
  'checkout_commits k join checkout_commit_bodies b using (store_id, order_external_id)';

/** An order's commit as a `CommitRow`: the store is `$1`, the order the parameter `order` names. */
function commitRowSql(order: string): string {
  return `select k.order_external_id, k.state, b.evaluation from ${COMMIT_WITH_BODY}
     where k.store_id = $1 and k.order_external_id = ${order}`;
}

/**
 * What a commit reads besides ($10, the order): the order's commit if it has one, and what the
 * ledger's earn and redeem plans read (ledgerForSpending): the order's own entries and, when it
 * redeems points, the lots with points left.
 */
const COMMIT_PARTS = `,
  (select row_to_json(k) from (${commitRowSql('$10::text')}) k) as commit,
  (select json_agg(operation_key) from loyalty_entries
     where store_id = $1 and order_id = $10::text and customer_id = (select id from c)) as written`;

const LIVE_LOTS = `,
  -- The lots a redemption may spend now (ledgerForSpending; pending and lapsed ones are not):
  -- their points left are the points available.
  (select json_agg(json_build_array(l.lot, l.order_id, l.kind, l.points, l.remaining, ${epochMs('l.at')},
       ${epochMs('l.available_at')}, ${epochMs('l.expires_at')}))
     from loyalty_lots l
     where exists (select 1 from prog) and ${SPENDABLE_LOTS}) as live_lots`;

/**
 * The read as three prepared statements: an evaluation's, a commit's, and a commit's that redeems
 * points. Each holds only its parts (a statement is initialised whole on every call, and with
 * parts left to a null parameter PostgreSQL re-planned it each time).
 */
const CONTEXT_SQL = {
  evaluate: CONTEXT_BASE.replace('@own', '') + AVAILABLE_POINTS,
  commit: CONTEXT_BASE.replace('@own', 'and external_id <> $10::text') + AVAILABLE_POINTS + COMMIT_PARTS,
  redeem: CONTEXT_BASE.replace('@own', 'and external_id <> $10::text') + COMMIT_PARTS + LIVE_LOTS,
} as const;

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

function customerOf(row: ContextRow, program: LoyaltyProgram | null, now: number): CustomerContext {
  const c = row.customer;
  if (c === null) return GUEST;
  const tier = program === null ? c.tier : storedTierAt(program.tiers, c, now);
  const segments = [...c.tags];
  if (row.scores) segments.push(row.scores.rfm_segment, row.scores.lifecycle_stage);
  const s = row.stats ?? { orders: 0, rolling_orders: 0, rolling_spend: 0 };
  return {
    customerId: c.id,
    tier,
    segments,
    orderCount: s.orders,
    birthday:
      c.birthday === null
        ? null
        : { month: Number(c.birthday.slice(5, 7)), day: Number(c.birthday.slice(8, 10)) },
    promotionUses: row.uses ?? {},
    availablePoints:
      row.available_points === undefined
        ? (row.live_lots ?? []).reduce((sum, l) => sum + Number(l[4]), 0)
        : Number(row.available_points),
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

/** What a commit reads besides the evaluation's input: the order's commit, and the customer's ledger to plan on. */
interface CheckoutRead {
  input: CheckoutInput;
  commit: CommitRow | null;
  ledger: LedgerState | null;
}

/** Everything `evaluateCheckout` needs, from the store's data; for a commit (`order`), its commit and ledger too. */
async function readCheckout(
  q: Queryable,
  storeId: string,
  body: CheckoutEvaluateInput,
  now: number,
  order: string | null,
): Promise<CheckoutRead> {
  const codes = [...new Set(body.codes.map(normalizeCode).filter((c) => c !== ''))];
  const skus = body.lines.flatMap((l) => (l.product_external_id === undefined && l.sku ? [l.sku] : []));
  const externals = body.lines.flatMap((l) => (l.product_external_id ? [l.product_external_id] : []));
  const ref = body.customer;
  const idOrExternal = ref === null ? null : (ref.id ?? (ref.external_id as string));
  const known = knownPromotions(storeId);
  // What this evaluation announces it knows; kept apart, as a concurrent one may prune `known`.
  const sent = new Map(known);
  // Prepared: planning this statement took longer than running it (1.7 ms against 1.2 ms).
  const kind = order === null ? 'evaluate' : body.points > 0 ? 'redeem' : 'commit';
  const params: unknown[] = [
    storeId,
    codes,
    externals,
    skus,
    idOrExternal,
    ref !== null && ref.id !== undefined,
    new Date(now).toISOString(),
    [...sent.keys()],
    // No discount of this cart is larger than it (lines and shipping).
    body.lines.reduce((sum, l) => sum + l.quantity * l.unit_price_minor, body.shipping_minor),
  ];
  if (order !== null) params.push(order);
  const res = await q.query<ContextRow>(CONTEXT_SQL[kind], params, `checkout_context_${kind}`);
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
  const input: CheckoutInput = {
    customer: customerOf(row, program, now),
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
  const customerId = input.customer.customerId;
  const ledger =
    order === null || customerId === null || program === null
      ? null
      : ledgerForSpending(
          customerId,
          (row.live_lots ?? []).map(
            ([key, orderId, kind, points, remaining, at, availableAt, expiresAt]) => ({
              key,
              orderId,
              kind,
              points: Number(points),
              remaining: Number(remaining),
              at,
              availableAt,
              expiresAt,
            }),
          ),
          row.written ?? [],
        );
  return { input, commit: row.commit, ledger };
}

/** Everything `evaluateCheckout` needs, from the store's data. */
export async function buildCheckoutInput(
  q: Queryable,
  storeId: string,
  body: CheckoutEvaluateInput,
  now: number,
): Promise<CheckoutInput> {
  return (await readCheckout(q, storeId, body, now, null)).input;
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
  const res = await q.query<CommitRow>(commitRowSql('$2'), [storeId, order]);
  return res.rows[0] ?? null;
}

/**
 * The answer to committing an order again: its first commit. A cancelled order stays cancelled
 * (what it took was released, and may be another order's now): committing it again is refused.
 */
function committedBefore(row: CommitRow): Committed {
  if (row.state === 'cancelled')
    throw new CheckoutConflict(
      'order_cancelled',
      'order_external_id',
      'This order was cancelled: commit the cart under a new order id',
    );
  return { result: duplicateOf(row), rows: {} };
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
 * Effects in the order commit and cancel lock their rows in (commit-write.ts): single-use codes and
 * gift cards by code, the customer's points, then the promotions' counters by id (shards before
 * rows: see `cancelCheckout`), the rows every order shares.
 */
function lockOrder(effects: readonly CheckoutEffect[]): CheckoutEffect[] {
  const rank = { redeem_code: 0, debit_gift_card: 1, redeem_points: 2, record_use: 3 } as const;
  const key = (e: CheckoutEffect) =>
    e.type === 'record_use' ? e.promotionId : e.type === 'redeem_points' ? e.customerId : e.code;
  return [...effects].sort(
    (a, b) => rank[a.type] - rank[b.type] || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
  );
}

function pointsKey(storeId: string, order: string, what: 'redeem' | 'cancel'): string {
  return `checkout:${storeId}:${order}:${what}`;
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

type RecordUse = Extract<CheckoutEffect, { type: 'record_use' }>;

/** Where a (normalised) code stands in the request, for an error's path. */
function codePath(body: CheckoutEvaluateInput, code: string): string {
  const i = body.codes.findIndex((c) => normalizeCode(c) === code);
  return i >= 0 ? `codes[${i}]` : 'codes';
}

/** Where an effect came from in the request, for the error's path. */
function effectPath(e: CheckoutEffect, body: CheckoutEvaluateInput): string {
  if (e.type === 'redeem_points') return 'points';
  return e.code === null ? 'promotions' : codePath(body, e.code);
}

/** The answer to a commit an edit of the promotions overtook (it planned again, and again). */
function concurrentEdit(): CheckoutConflict {
  return new CheckoutConflict(
    'concurrent_edit',
    'promotions',
    'The promotions changed while the order was committed: evaluate again',
  );
}

/** A commit planned on one read: the evaluation and every write it makes. */
interface PlannedCommit {
  input: CheckoutInput;
  /** Every write, and the evaluation as the API shows it (`write.shown`). */
  write: CommitWrite;
}

/**
 * Reads and evaluates the cart for a commit, refuses it when a typed code or the points were
 * refused, and plans the ledger's redemption and earning on the ledger as read. Returns the
 * order's commit instead when it has one.
 */
async function planCommit(
  q: Queryable,
  storeId: string,
  body: CheckoutCommitInput,
  now: number,
): Promise<PlannedCommit | { committed: CommitRow }> {
  const order = body.order_external_id;
  const { input, commit, ledger: read } = await readCheckout(q, storeId, body, now, order);
  if (commit) return { committed: commit };
  const evaluation = evaluateCheckout(input);
  const refused = evaluation.rejectedCodes[0];
  if (refused) {
    const i = body.codes.indexOf(refused.code);
    throw new CheckoutConflict(refused.reason, i >= 0 ? `codes[${i}]` : 'codes', refused.message);
  }
  if (evaluation.points.rejection)
    throw new CheckoutConflict(
      evaluation.points.rejection.reason,
      'points',
      `The points could not be used: ${evaluation.points.rejection.reason}`,
    );
  const customerId = input.customer.customerId;
  let ledger: LedgerDecision | null = null;
  if (read !== null && input.loyalty !== null) {
    let state = read;
    let redemption: LedgerDecision | null = null;
    // A redemption is always the committing customer's (evaluate makes it for them).
    const redeem = evaluation.effects.find((e) => e.type === 'redeem_points');
    if (redeem) {
      redemption = planLedgerOperation(state, {
        type: 'redeem',
        key: pointsKey(storeId, order, 'redeem'),
        orderId: order,
        points: redeem.points,
        at: now,
      });
      if (redemption.type === 'rejected')
        throw new CheckoutConflict(
          'insufficient_points',
          'points',
          'The customer no longer has these points',
        );
      state = applyDecision(state, redemption);
    }
    // The order's points, pending through the return window; keyed `earn:<order external id>`.
    const toEarn = evaluation.points.toEarn?.points ?? 0;
    const earning =
      toEarn > 0 ? planLedgerOperation(state, earnOperation(input.loyalty, order, toEarn, now)) : null;
    ledger = bothDecisions(redemption, earning);
  }
  return {
    input,
    write: {
      storeId,
      order,
      customerId,
      effects: evaluation.effects,
      shown: evaluationBody(evaluation),
      now,
      ledger,
    },
  };
}

/** A commit's answer, and the rows it wrote per table (for the planner's statistics). */
interface Committed {
  result: CommitResult;
  rows: Record<string, number>;
}

/** Writes a planned commit; when a concurrent commit of the order won, returns that one. */
async function written(q: Queryable, plan: PlannedCommit): Promise<Committed> {
  const { storeId, order } = plan.write;
  if (await writeCommit(q, plan.write))
    return {
      result: { duplicate: false, orderExternalId: order, state: 'committed', evaluation: plan.write.shown },
      rows: commitRowsWritten(plan.write),
    };
  const row = await findCommit(q, storeId, order);
  if (!row)
    throw new CheckoutConflict('concurrent_commit', 'order_external_id', 'The order is being committed');
  return committedBefore(row);
}

/** A failed guard as the commit's answer, naming the first refused effect as the request sent it. */
async function refusalConflict(
  db: Queryable,
  storeId: string,
  body: CheckoutEvaluateInput,
  err: CommitRefused,
): Promise<CheckoutConflict> {
  const r = err.refusal;
  const uses = err.effects.filter((e): e is RecordUse => e.type === 'record_use');
  if (r.codes.length > 0)
    return new CheckoutConflict('code_used', codePath(body, r.codes[0]), 'The code has been used');
  if (r.gift.length > 0)
    return new CheckoutConflict(
      'gift_card_empty',
      codePath(body, r.gift[0]),
      "The gift card's balance is too low",
    );
  if (r.ledger)
    return new CheckoutConflict('insufficient_points', 'points', 'The customer no longer has these points');
  if (r.changed.length > 0) return concurrentEdit();
  if (r.promotions.length > 0) {
    const e = uses.find((u) => u.promotionId === r.promotions[0]) as RecordUse;
    // The uses counted (on the row and in the shards), not the quotas handed out: a promotion
    // limited in uses and budget both names the limit it reached.
    const p = await findPromotion(db, storeId, e.promotionId);
    if (p?.status !== 'active')
      return new CheckoutConflict('expired', effectPath(e, body), 'The promotion has ended');
    const max = p.config.limits.totalUses;
    if (max !== null && p.uses >= max)
      return new CheckoutConflict(
        'usage_limit_reached',
        effectPath(e, body),
        'The promotion has been used up',
      );
    return new CheckoutConflict('budget_exhausted', effectPath(e, body), "The promotion's budget is spent");
  }
  const e = uses.find((u) => u.promotionId === r.customer[0]);
  if (e === undefined)
    return new CheckoutConflict(
      'concurrent_commit',
      'order_external_id',
      'The order could not be committed: try again',
    );
  return new CheckoutConflict(
    'usage_limit_reached',
    effectPath(e, body),
    'The customer has used this promotion as often as allowed',
  );
}

/**
 * Commits an order: evaluates the cart and applies every effect in one statement (commit-write.ts)
 * on what one read saw; the same order again returns the first commit. When the customer's ledger
 * changed between the read and the write, or the order may be the customer's first, it reads and
 * writes again in a transaction that holds the customer's lock from before the read: two first
 * orders committed at once cannot both get first-order rewards (the second sees the first, and is
 * refused with 409 `not_first_order` when that changes its outcome: the shop evaluates again).
 */
async function commitOnce(
  db: Db,
  storeId: string,
  body: CheckoutCommitInput,
  now: number,
  /** A quota was granted for this order already (the next refusal for quota takes them back). */
  granted = false,
): Promise<Committed> {
  const seen = await planCommit(db, storeId, body, now);
  if ('committed' in seen) return committedBefore(seen.committed);
  const customer = seen.input.customer;
  const maybeFirst = customer.customerId !== null && customer.orderCount === 0;
  const attempt = async (): Promise<Committed> => {
    if (!maybeFirst) {
      try {
        return await written(db, seen);
      } catch (err) {
        // Only the ledger moved since the read: read and write again under the customer's lock (a
        // refusal for quota as well goes to the grant below first).
        const ledgerOnly =
          err instanceof CommitRefused &&
          err.refusal.ledger &&
          err.refusal.quota.length === 0 &&
          err.refusal.changed.length === 0;
        if (!ledgerOnly) throw err;
      }
    }
    return db.tx((q) => lockedCommit(q, storeId, body, now, seen));
  };
  try {
    return await attempt();
  } catch (err) {
    // The connection's shard had no quota for a limited promotion the order uses: grant one, again.
    const needsQuota =
      err instanceof CommitRefused && err.refusal.quota.length > 0 && err.refusal.changed.length === 0;
    if (needsQuota) return db.session((s) => grantThenCommit(s, storeId, body, now, seen, granted));
    throw err;
  }
}

/**
 * Grants the connection's shard quotas of the limited promotions the order used when it was
 * planned (`seen`), each grant in a short transaction of its own (so the promotions' rows are not
 * held through the order's writes), then commits the order again on the same connection: its
 * write counts in the shard the quotas went to.
 */
async function grantThenCommit(
  s: Db,
  storeId: string,
  body: CheckoutCommitInput,
  now: number,
  seen: PlannedCommit,
  granted: boolean,
): Promise<Committed> {
  const wants = seen.write.effects
    .filter((e): e is RecordUse => e.type === 'record_use' && isLimited(e))
    .map((e) => ({ id: e.promotionId, discountMinor: e.discountMinor }));
  const refuse = (r: QuotaRefusal) => {
    if (r.changed.length > 0 || r.limited.length > 0)
      throw new CommitRefused(
        { ...NOTHING_REFUSED, changed: r.changed, promotions: r.limited },
        seen.write.effects,
      );
  };
  if (!granted) {
    const refused = await s.tx((q) => grantQuotas(q, storeId, wants, false));
    refuse(refused);
    if (refused.reclaim.length === 0) return commitOnce(s, storeId, body, now, true);
  }
  // Too little left on a row, or the quota granted went to another order on the shard before this
  // one was written: the shards' quotas come back, and the order is written in the same
  // transaction, holding every shard (so no other order takes its quota first).
  return s.tx((q) =>
    lockedCommit(q, storeId, body, now, seen, async () => refuse(await grantQuotas(q, storeId, wants, true))),
  );
}

/**
 * A commit under the customer's lock, held from before its read (in the caller's transaction):
 * a ledger changed since the first read, or an order that may be the customer's first.
 */
async function lockedCommit(
  q: Queryable,
  storeId: string,
  body: CheckoutCommitInput,
  now: number,
  seen: PlannedCommit,
  /** Runs under the customer's lock, before the read. */
  first: () => Promise<void> = async () => {},
): Promise<Committed> {
  const customerId = seen.input.customer.customerId;
  if (customerId !== null) await lockLedger(q, storeId, customerId);
  await first();
  const fresh = await planCommit(q, storeId, body, now);
  if ('committed' in fresh) return committedBefore(fresh.committed);
  if (
    customerId !== null &&
    seen.input.customer.orderCount === 0 &&
    fresh.input.customer.orderCount > 0 &&
    JSON.stringify(fresh.write.shown) !== JSON.stringify(seen.write.shown)
  )
    throw new CheckoutConflict(
      'not_first_order',
      'customer',
      'The customer placed another order meanwhile, so this is no longer their first: evaluate again',
    );
  return written(q, fresh);
}

/** Attempts of a commit whose plan an edit overtook (or that lost a deadlock) before it answers 409. */
const COMMIT_ATTEMPTS = 3;

export async function commitCheckout(
  db: Db,
  storeId: string,
  body: CheckoutCommitInput,
  now: number,
): Promise<CommitResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      const done = await commitOnce(db, storeId, body, now);
      // Statistics refresh in the background: this order need not wait for an occasional ANALYZE.
      noteRowsWritten(db, done.rows).catch(() => {});
      return done.result;
    } catch (err) {
      const overtaken =
        (err instanceof CommitRefused && err.refusal.changed.length > 0) || pgErrorCode(err) === PG_DEADLOCK;
      if (overtaken && attempt < COMMIT_ATTEMPTS) continue;
      if (err instanceof CommitRefused) throw (await refusalConflict(db, storeId, body, err)).toError();
      if (err instanceof CheckoutConflict) throw err.toError();
      if (overtaken) throw concurrentEdit().toError();
      throw err;
    }
  }
}

/**
 * Releases what a committed order took: codes, gift card balance, points, uses, budget and
 * per-customer uses, in the order commits lock them (the customer's lock first).
 */
export async function cancelCheckout(
  db: Db,
  storeId: string,
  order: string,
  now: number,
): Promise<CommitResult> {
  const owner = await db.query<{ customer_id: string | null }>(
    'select customer_id from checkout_commits where store_id = $1 and order_external_id = $2',
    [storeId, order],
  );
  if (owner.rows.length === 0) throw notFound('Checkout commit', order);
  const customerId = owner.rows[0].customer_id;
  // A deadlock with a concurrent commit (its statement's row locks) is retried, never a 500.
  return withInsertRetry(() =>
    db.tx(async (q) => {
      if (customerId !== null) await lockLedger(q, storeId, customerId);
      const res = await q.query<CommitRow & { effects: CheckoutEffect[] }>(
        `select k.order_external_id, k.state, b.evaluation, b.effects from ${COMMIT_WITH_BODY}
       where k.store_id = $1 and k.order_external_id = $2 for update of k`,
        [storeId, order],
      );
      const row = res.rows[0];
      if (row.state === 'cancelled') return duplicateOf(row);
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
      if (customerId !== null) {
        // A full refund of the order in the ledger: redeemed points come back, earned ones are reversed.
        const state = await loadLedger(q, storeId, customerId);
        const decision = planLedgerOperation(state, {
          type: 'refund',
          key: pointsKey(storeId, order, 'cancel'),
          orderId: order,
          refundId: `cancel:${order}`,
          orderTotalMinor: 1,
          refundedTotalMinor: 1,
          at: now,
        });
        await applyLedgerDecision(q, storeId, decision);
      }
      const uses = ordered.filter((e): e is RecordUse => e.type === 'record_use');
      // As commit takes them: every shard first (by promotion id), then the promotions' rows by id.
      // Each use goes back to a shard that counted it (their sum is what counts), or to the row an
      // edit folded it onto. The shards that count any of them are locked together, in shard order
      // (as edits and quota grants take them), before any promotion's row.
      const ids = [...new Set(uses.map((e) => e.promotionId))];
      const shards =
        uses.length === 0
          ? []
          : (
              await q.query<{ shard: number; uses: Record<string, [number, number]> }>(
                `select shard, uses from promotion_use_counts where store_id = $1 and uses ?| $2::text[]
                 order by shard for update`,
                [storeId, ids],
              )
            ).rows;
      const given = giveBackUses(shards, uses);
      for (const r of given.shards)
        await q.query('update promotion_use_counts set uses = $3::jsonb where store_id = $1 and shard = $2', [
          storeId,
          r.shard,
          JSON.stringify(r.uses),
        ]);
      for (const { use: e, shard, minor } of [...given.back].sort((a, b) =>
        a.use.promotionId < b.use.promotionId ? -1 : 1,
      )) {
        // The part a shard did not hold comes off the row; a limited promotion counted its shard's part
        // in its reservation (a quota's use), which shrinks with it (an unlimited one reserves nothing).
        await q.query(
          `update promotions set uses = greatest(uses - $4::int, 0),
             budget_spent_minor = greatest(budget_spent_minor - ($3::int8 - $5::int8), 0),
             reserved_uses = greatest(reserved_uses - (1 - $4::int), 0),
             reserved_minor = greatest(reserved_minor - $5::int8, 0),
             updated_at = now()
           where store_id = $1 and id = $2`,
          [storeId, e.promotionId, e.discountMinor, shard === null ? 1 : 0, minor],
        );
      }
      if (customerId !== null && uses.length > 0)
        await q.query(
          `update customer_promotion_uses u set uses = u.uses || (select jsonb_object_agg(x,
             greatest(coalesce((u.uses->>x)::int, 0) - 1, 0)) from unnest($3::text[]) x)
         where store_id = $1 and customer_id = $2`,
          [storeId, customerId, uses.map((e) => e.promotionId)],
        );
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
    }),
  );
}
