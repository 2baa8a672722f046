/**
 * The promotions module's database shell: promotions with their usage counters, generated codes,
 * and per-customer uses. Limits are enforced at commit time by the guarded updates in checkout.
 */
import type { Queryable } from '../db/client.ts';
import { SqlFilter } from '../db/pagination.ts';
import { ComebackError, notFound } from '../kernel/errors.ts';
import type { ImportedCode } from './code-import.ts';
import { type GeneratedCodes, generateCodes, type RandomBytes } from './codes.ts';
import type { Promotion } from './promotion.ts';
import { coversUse, type Free, quotaGrant } from './quota.ts';

export interface PromotionRow {
  id: string;
  status: 'active' | 'archived';
  config: Promotion;
  uses: number;
  budget_spent_minor: number;
  created_at: string;
  updated_at: string;
}

/** Use shards per store: an unlimited promotion's uses and spend are the sum over them (checkout/commit-write.ts). */
export const USE_SHARDS = 64;

/**
 * The shard a statement counts in: its connection's. A connection runs one statement at a time,
 * so concurrent commits rarely share a counter row, and a quota granted on a connection is there
 * for its next commit.
 */
export const CONNECTION_SHARD = `(pg_backend_pid() % ${USE_SHARDS})::int2`;

/** Uses and spend: the promotions row (limited promotions) plus the store's use shards (unlimited ones, see checkout/commit-write.ts). */
const COLUMNS = `id, status, config,
  uses + coalesce((select sum((s.uses->promotions.id->>0)::int8) from promotion_use_counts s
    where s.store_id = promotions.store_id), 0)::int as uses,
  budget_spent_minor + coalesce((select sum((s.uses->promotions.id->>1)::int8) from promotion_use_counts s
    where s.store_id = promotions.store_id), 0)::bigint as budget_spent_minor,
  created_at, updated_at`;

/**
 * Locks the store's use shards (all of them, created if missing), before any promotion's row:
 * the order commits take them in. Commits that count in a shard wait until the edit ends, and
 * then see what it closed or opened.
 */
export async function lockUseShards(q: Queryable, storeId: string): Promise<void> {
  await q.query(
    `insert into promotion_use_counts (store_id, shard)
     select $1, g from generate_series(0, $2::int - 1) g order by g on conflict do nothing`,
    [storeId, USE_SHARDS],
  );
  await q.query('select shard from promotion_use_counts where store_id = $1 order by shard for update', [
    storeId,
  ]);
}

/**
 * Moves a promotion's sharded uses onto its row, takes back its quotas and closes it in the shards
 * (under `lockUseShards` and the caller's lock on the row): limits set by an edit are checked
 * against every use, and a commit that planned it as unlimited plans again.
 */
export async function foldUseShards(q: Queryable, storeId: string, id: string): Promise<void> {
  await q.query(
    `with old as (
       select shard, uses->$2::text as v from promotion_use_counts where store_id = $1
     ), moved as (
       update promotion_use_counts s set uses = s.uses - $2::text, quota = s.quota - $2::text,
         closed = case when $2::text = any(s.closed) then s.closed else s.closed || $2::text end
       where s.store_id = $1
     )
     update promotions set
       uses = uses + (select coalesce(sum((v->>0)::int8), 0) from old),
       budget_spent_minor = budget_spent_minor + (select coalesce(sum((v->>1)::int8), 0) from old),
       -- What was reserved is what the shards used (now on the row) plus the quotas they give back.
       reserved_uses = 0, reserved_minor = 0
     where store_id = $1 and id = $2`,
    [storeId, id],
  );
}

/** Counts an active promotion without limits in the shards again (after `foldUseShards`, in the same transaction). */
export async function openUseShards(q: Queryable, storeId: string, id: string): Promise<void> {
  await q.query(
    'update promotion_use_counts set closed = array_remove(closed, $2::text) where store_id = $1',
    [storeId, id],
  );
}

/**
 * What a grant could not cover: promotions at their limit or archived, ones that lost their limits
 * (plan again), and, when it was not to take quotas back, ones that need the shards' quotas back.
 */
export interface QuotaRefusal {
  limited: string[];
  changed: string[];
  reclaim: string[];
}

/**
 * Grants the connection's shard a quota of each limited promotion an order uses (its discount:
 * `wants`), in the caller's transaction, taking the shard's row and then each promotion's. When
 * what a row has not handed out does not cover the order, the quotas left in every shard must
 * come back first (so that the last uses of a limit are never stranded in a shard no order is
 * using): without `reclaim` that promotion is returned in `reclaim` (the caller asks again with
 * it; what was granted stays granted); with `reclaim` the store's shards are all taken first (the
 * order edits take them in), waiting for the commits counting in them.
 */
export async function grantQuotas(
  q: Queryable,
  storeId: string,
  wants: readonly { id: string; discountMinor: number }[],
  reclaim: boolean,
): Promise<QuotaRefusal> {
  const out: QuotaRefusal = { limited: [], changed: [], reclaim: [] };
  if (reclaim) await lockUseShards(q, storeId);
  else
    await q.query(
      `insert into promotion_use_counts as s (store_id, shard) values ($1, ${CONNECTION_SHARD})
       on conflict (store_id, shard) do update set quota = s.quota`,
      [storeId],
    );
  for (const w of [...wants].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const row = (
      await q.query<{ status: string; free_uses: number | null; free_minor: string | null }>(
        `select status, max_uses - uses - reserved_uses as free_uses,
           budget_minor - budget_spent_minor - reserved_minor as free_minor
         from promotions where store_id = $1 and id = $2 for update`,
        [storeId, w.id],
      )
    ).rows[0];
    // Archived meanwhile: refused (the order answers 409 expired); without limits now: plan again.
    if (row === undefined || row.status !== 'active') {
      out.limited.push(w.id);
      continue;
    }
    if (row.free_uses === null && row.free_minor === null) {
      out.changed.push(w.id);
      continue;
    }
    const free: Free = {
      uses: row.free_uses,
      minor: row.free_minor === null ? null : Number(row.free_minor),
    };
    if (!coversUse(free, w.discountMinor)) {
      if (!reclaim) {
        out.reclaim.push(w.id);
        continue;
      }
      const back = (
        await q.query<{ uses: string | null; minor: string | null }>(
          `with left_over as (
             select (quota->$2::text->>0)::int8 as uses, (quota->$2::text->>1)::int8 as minor
             from promotion_use_counts where store_id = $1 and quota ? $2::text
           ), cleared as (
             update promotion_use_counts set quota = quota - $2::text where store_id = $1 and quota ? $2::text
           ), returned as (
             update promotions set reserved_uses = reserved_uses - coalesce((select sum(uses) from left_over), 0),
               reserved_minor = reserved_minor - coalesce((select sum(minor) from left_over), 0)
             where store_id = $1 and id = $2
           )
           select sum(uses) as uses, sum(minor) as minor from left_over`,
          [storeId, w.id],
        )
      ).rows[0];
      if (free.uses !== null) free.uses += Number(back.uses ?? 0);
      if (free.minor !== null) free.minor += Number(back.minor ?? 0);
      if (!coversUse(free, w.discountMinor)) {
        out.limited.push(w.id);
        continue;
      }
    }
    const { uses, minor } = quotaGrant(free, w.discountMinor);
    await q.query(
      `with granted as (
         insert into promotion_use_counts as s (store_id, shard, quota)
         values ($1, ${CONNECTION_SHARD}, jsonb_build_object($2::text, jsonb_build_array($3::int8, $4::int8)))
         on conflict (store_id, shard) do update set quota = s.quota || jsonb_build_object($2::text, jsonb_build_array(
           coalesce((s.quota->$2::text->>0)::int8, 0) + $3::int8, coalesce((s.quota->$2::text->>1)::int8, 0) + $4::int8))
       )
       update promotions set reserved_uses = reserved_uses + coalesce($3::int8, 0),
         reserved_minor = reserved_minor + coalesce($4::int8, 0)
       where store_id = $1 and id = $2`,
      [storeId, w.id, uses, minor],
    );
  }
  return out;
}

/**
 * Starts an edit of a promotion (in the caller's transaction): takes the shards and the row, folds
 * its sharded uses onto the row and closes it in the shards; `reopenIfUnlimited` undoes the close
 * when the edit leaves it active without limits. Returns the promotion with its uses.
 */
export async function lockForEdit(q: Queryable, storeId: string, id: string): Promise<PromotionRow> {
  await lockUseShards(q, storeId);
  if (!(await findPromotion(q, storeId, id, true))) throw notFound('Promotion', id);
  await foldUseShards(q, storeId, id);
  return (await findPromotion(q, storeId, id)) as PromotionRow;
}

/** After an edit (`lockForEdit`): an active promotion without a total or budget limit counts in the shards again. */
export async function reopenIfUnlimited(q: Queryable, storeId: string, row: PromotionRow): Promise<void> {
  const { totalUses, budgetMinor } = row.config.limits;
  if (row.status === 'active' && totalUses === null && budgetMinor === null)
    await openUseShards(q, storeId, row.id);
}

/** $1 … $6: store, id, config, status and the limit columns the commit guards read. */
function rowParams(storeId: string, promotion: Promotion, status: 'active' | 'archived'): unknown[] {
  const { totalUses, budgetMinor } = promotion.limits;
  return [storeId, promotion.id, JSON.stringify(promotion), status, totalUses, budgetMinor];
}

/** Inserts a validated promotion (its id is in the config). */
export async function insertPromotion(
  q: Queryable,
  storeId: string,
  promotion: Promotion,
  status: 'active' | 'archived',
): Promise<PromotionRow> {
  const res = await q.query<PromotionRow>(
    `insert into promotions (store_id, id, config, status, max_uses, budget_minor)
     values ($1, $2, $3::jsonb, $4, $5, $6) returning ${COLUMNS}`,
    rowParams(storeId, promotion, status),
  );
  return res.rows[0];
}

/** Activates or archives a promotion; an archived one is no longer offered nor committed. */
export async function setPromotionStatus(
  q: Queryable,
  storeId: string,
  id: string,
  status: 'active' | 'archived',
): Promise<PromotionRow> {
  const res = await q.query<PromotionRow>(
    `update promotions set status = $3, updated_at = now() where store_id = $1 and id = $2 returning ${COLUMNS}`,
    [storeId, id, status],
  );
  return lockedRow(res.rows, id);
}

/** The row an edit updated: it exists, as the edit holds its lock (`lockForEdit`). */
function lockedRow(rows: readonly PromotionRow[], id: string): PromotionRow {
  if (rows.length === 0) throw new Error(`promotion ${id} was not locked for the edit (lockForEdit)`);
  return rows[0];
}

/** Replaces a promotion's config (and the limit columns the commit guards read); usage stays. The caller holds `lockForEdit`. */
export async function updatePromotion(
  q: Queryable,
  storeId: string,
  promotion: Promotion,
  status: 'active' | 'archived',
): Promise<PromotionRow> {
  const res = await q.query<PromotionRow>(
    `update promotions set config = $3::jsonb, status = $4, max_uses = $5, budget_minor = $6, updated_at = now()
     where store_id = $1 and id = $2 returning ${COLUMNS}`,
    rowParams(storeId, promotion, status),
  );
  return lockedRow(res.rows, promotion.id);
}

/** One promotion; `forUpdate` locks it against concurrent commits and edits until the transaction ends. */
export async function findPromotion(
  q: Queryable,
  storeId: string,
  id: string,
  forUpdate = false,
): Promise<PromotionRow | null> {
  const res = await q.query<PromotionRow>(
    `select ${COLUMNS} from promotions where store_id = $1 and id = $2${forUpdate ? ' for update' : ''}`,
    [storeId, id],
  );
  return res.rows[0] ?? null;
}

export async function listPromotions(
  q: Queryable,
  storeId: string,
  opts: { status?: 'active' | 'archived'; limit: number; after?: string },
): Promise<PromotionRow[]> {
  const res = await q.query<PromotionRow>(
    `select ${COLUMNS} from promotions where store_id = $1 and ($2::text is null or status = $2)
       and ($3::text is null or id > $3) order by id limit $4`,
    [storeId, opts.status ?? null, opts.after ?? null, opts.limit],
  );
  return res.rows;
}

export interface CodeBatch {
  count: number;
  length?: number;
  prefix?: string;
  customerId: string | null;
  balanceMinor: number | null;
  expiresAt: string | null;
}

/**
 * Generates `count` codes that are new in the store and inserts them: drawn from `randomBytes`
 * (crypto in production), a code taken meanwhile (the unique key) is drawn again.
 */
export async function createCodes(
  q: Queryable,
  storeId: string,
  promotionId: string,
  batch: CodeBatch,
  randomBytes: RandomBytes,
): Promise<string[]> {
  const created: string[] = [];
  for (let round = 0; round < 5 && created.length < batch.count; round++) {
    const want = batch.count - created.length;
    const gen: GeneratedCodes = generateCodes({
      count: want,
      length: batch.length,
      prefix: batch.prefix,
      randomBytes,
    });
    if (gen.type === 'rejected')
      throw new ComebackError(
        'VALIDATION_FAILED',
        gen.reason === 'code_space_too_small'
          ? `Codes of this length are too easy to guess for ${batch.count} codes; use at least ${gen.minLength} characters`
          : 'Could not draw enough distinct codes',
        [{ path: 'length', message: gen.reason }],
      );
    const res = await q.query<{ code: string }>(
      `insert into promotion_codes (store_id, code, promotion_id, customer_id, balance_minor, expires_at)
       select $1, c, $2, $3, $4, $5 from unnest($6::text[]) as c
       on conflict (store_id, code) do nothing returning code`,
      [storeId, promotionId, batch.customerId, batch.balanceMinor, batch.expiresAt, gen.codes],
    );
    for (const r of res.rows) created.push(r.code);
  }
  if (created.length < batch.count)
    throw new ComebackError('CONFLICT', 'Could not generate enough unique codes; try a longer length');
  return created;
}

/** A code as the API lists and exports it. */
export interface CodeView {
  code: string;
  customer_id: string | null;
  redeemed_at: string | null;
  balance_minor: number | null;
  expires_at: string | null;
  created_at: string;
}

export interface CodeFilter {
  /** true: only redeemed single-use codes; false: only those not redeemed. */
  redeemed?: boolean;
  /** Our customer id or the store's external id. */
  customer?: string;
  /** Codes after this one (keyset: codes are listed in code order, the primary key). */
  after?: string;
  limit: number;
}

/** One page of a promotion's codes in code order; ask for `limit + 1` to know whether more follow. */
export async function listCodes(
  q: Queryable,
  storeId: string,
  promotionId: string,
  f: CodeFilter,
): Promise<CodeView[]> {
  const w = new SqlFilter([storeId, promotionId]);
  w.clauses.push('store_id = $1', 'promotion_id = $2');
  if (f.redeemed !== undefined) w.clauses.push(`redeemed_at is ${f.redeemed ? 'not ' : ''}null`);
  if (f.customer !== undefined) {
    w.params.push(f.customer);
    const n = w.params.length;
    w.clauses.push(
      `customer_id in (select id from customers where store_id = $1 and (id = $${n} or external_id = $${n}))`,
    );
  }
  if (f.after !== undefined) w.add('code > ?', f.after);
  const res = await q.query<{
    code: string;
    customer_id: string | null;
    redeemed_at: Date | string | null;
    balance_minor: number | null;
    expires_at: Date | string | null;
    created_at: Date | string;
  }>(
    `select code, customer_id, redeemed_at, balance_minor, expires_at, created_at from promotion_codes
     ${w.where()} order by code limit ${w.next()}`,
    [...w.params, f.limit],
  );
  const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
  return res.rows.map((r) => ({
    code: r.code,
    customer_id: r.customer_id,
    redeemed_at: iso(r.redeemed_at),
    balance_minor: r.balance_minor,
    expires_at: iso(r.expires_at),
    created_at: new Date(r.created_at).toISOString(),
  }));
}

/** Every code that matches, in batches of `batchSize` (each its own keyset query): for exports of any size. */
export async function* allCodes(
  q: Queryable,
  storeId: string,
  promotionId: string,
  f: Omit<CodeFilter, 'after' | 'limit'>,
  batchSize = 5000,
): AsyncGenerator<CodeView> {
  let after: string | undefined;
  for (;;) {
    const rows = await listCodes(q, storeId, promotionId, { ...f, after, limit: batchSize });
    yield* rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1].code;
  }
}

/** A line of an import the store refuses: a code taken already, a customer it does not know. */
export interface ImportRefusal {
  line: number;
  field: 'code' | 'customer_id';
  message: string;
}

/**
 * Inserts checked imported codes all or nothing: refusals (codes in use in the store, unknown
 * customers) come back by line and nothing is written; a code another request took meanwhile
 * is refused the same way.
 */
export async function importCodes(
  q: Queryable,
  storeId: string,
  promotionId: string,
  codes: readonly ImportedCode[],
): Promise<{ imported: number; refusals: ImportRefusal[] }> {
  const refusals: ImportRefusal[] = [];
  const refs = [...new Set(codes.flatMap((c) => (c.customerRef === null ? [] : [c.customerRef])))];
  const customers = new Map<string, string>();
  if (refs.length > 0) {
    const res = await q.query<{ id: string; external_id: string | null }>(
      'select id, external_id from customers where store_id = $1 and (id = any($2::text[]) or external_id = any($2::text[]))',
      [storeId, refs],
    );
    // Our id wins over an external id that happens to look the same.
    for (const r of res.rows)
      if (r.external_id !== null && !customers.has(r.external_id)) customers.set(r.external_id, r.id);
    for (const r of res.rows) customers.set(r.id, r.id);
  }
  const taken = await q.query<{ code: string; promotion_id: string }>(
    'select code, promotion_id from promotion_codes where store_id = $1 and code = any($2::text[])',
    [storeId, codes.map((c) => c.code)],
  );
  const takenBy = new Map(taken.rows.map((r) => [r.code, r.promotion_id]));
  for (const c of codes) {
    const owner = takenBy.get(c.code);
    if (owner !== undefined)
      refusals.push({
        line: c.line,
        field: 'code',
        message: `${c.code} exists already (promotion ${owner})`,
      });
    if (c.customerRef !== null && !customers.has(c.customerRef))
      refusals.push({ line: c.line, field: 'customer_id', message: `no customer ${c.customerRef}` });
  }
  if (refusals.length > 0 || codes.length === 0) return { imported: 0, refusals };
  const res = await q.query<{ code: string }>(
    `insert into promotion_codes (store_id, code, promotion_id, customer_id, balance_minor, expires_at)
     select $1, c, $2, cu, b, e from unnest($3::text[], $4::text[], $5::bigint[], $6::timestamptz[]) as t(c, cu, b, e)
     on conflict (store_id, code) do nothing returning code`,
    [
      storeId,
      promotionId,
      codes.map((c) => c.code),
      codes.map((c) => (c.customerRef === null ? null : (customers.get(c.customerRef) ?? null))),
      codes.map((c) => c.balanceMinor),
      codes.map((c) => c.expiresAt),
    ],
  );
  if (res.rows.length < codes.length) {
    const inserted = new Set(res.rows.map((r) => r.code));
    for (const c of codes)
      if (!inserted.has(c.code))
        refusals.push({
          line: c.line,
          field: 'code',
          message: `${c.code} was just taken by another request`,
        });
  }
  return { imported: res.rows.length, refusals };
}
