import {
  LOCK_IN_ORDER,
  type UpsertResult,
  type UpsertStatus,
  upsertCustomers,
} from '../customers/repository.ts';
import type { CustomerRef } from '../customers/schemas.ts';
import { type BulkColumn, bulkInsert, bulkUpdate, ConcurrentInsert } from '../db/bulk.ts';
import type { Queryable } from '../db/client.ts';
import { page, SqlFilter } from '../db/pagination.ts';
import { ComebackError, notFound, RecordError } from '../kernel/errors.ts';
import { contentHash, sortedContentHash } from '../kernel/hash.ts';
import { type IdGenerator, type IdKind, isIdOf } from '../kernel/ids.ts';
import type { CartInput, EventInput, OrderInput, ProductInput, RefundInput } from './schemas.ts';

export type { UpsertResult, UpsertStatus };

/** Upserts the customers referenced by records and returns their ids by external id. */
async function resolveCustomers(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  refs: ReadonlyArray<CustomerRef | null | undefined>,
  now: Date,
): Promise<Map<string, UpsertResult>> {
  const present = refs.filter((r): r is CustomerRef => !!r);
  return upsertCustomers(q, ids, storeId, present, now);
}

/**
 * Keeps the last of several records with one external id (a batch describes one final state), in
 * external id order: every writer then inserts and locks in one order, so concurrent batches wait
 * for each other instead of deadlocking.
 */
function lastByExternalId<T extends { external_id: string }>(inputs: readonly T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const i of inputs) m.set(i.external_id, i);
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function productIdsFor(
  q: Queryable,
  storeId: string,
  lines: ReadonlyArray<{ sku?: string | null; product_external_id?: string | null }>,
): Promise<{ byExt: Map<string, string>; bySku: Map<string, string> }> {
  const exts = [...new Set(lines.map((l) => l.product_external_id).filter((x): x is string => !!x))];
  const skus = [...new Set(lines.map((l) => l.sku).filter((x): x is string => !!x))];
  const byExt = new Map<string, string>();
  const bySku = new Map<string, string>();
  if (exts.length === 0 && skus.length === 0) return { byExt, bySku };
  const res = await q.query<{ id: string; external_id: string; sku: string | null }>(
    `select id, external_id, sku from products
     where store_id = $1 and (external_id = any($2::text[]) or sku = any($3::text[]))`,
    [storeId, exts, skus],
  );
  for (const r of res.rows) {
    byExt.set(r.external_id, r.id);
    if (r.sku) bySku.set(r.sku, r.id);
  }
  return { byExt, bySku };
}

const ORDER_COLUMNS: BulkColumn[] = [
  { name: 'store_id', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'customer_id', type: 'text' },
  { name: 'placed_at', type: 'timestamptz' },
  { name: 'currency', type: 'text' },
  { name: 'subtotal_minor', type: 'int8' },
  { name: 'discount_minor', type: 'int8' },
  { name: 'shipping_minor', type: 'int8' },
  { name: 'tax_minor', type: 'int8' },
  { name: 'total_minor', type: 'int8' },
  { name: 'status', type: 'text' },
  { name: 'source', type: 'text' },
  { name: 'discount_codes', type: 'text[]' },
  { name: 'line_count', type: 'int4' },
  { name: 'source_updated_at', type: 'timestamptz' },
  { name: 'content_hash', type: 'text' },
];

const LINE_COLUMNS: BulkColumn[] = [
  { name: 'store_id', type: 'text' },
  { name: 'order_id', type: 'text' },
  { name: 'line_no', type: 'int4' },
  { name: 'product_id', type: 'text' },
  { name: 'sku', type: 'text' },
  { name: 'product_external_id', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'quantity', type: 'int4' },
  { name: 'unit_price_minor', type: 'int8' },
  { name: 'discount_minor', type: 'int8' },
  { name: 'total_minor', type: 'int8' },
];

/** Order totals derived the one way: subtotal = Σ qty × price; total defaults to subtotal − discount + shipping + tax. */
export function orderAmounts(o: OrderInput) {
  let subtotal = 0;
  let lineDiscounts = 0;
  for (const l of o.lines) {
    subtotal += l.quantity * l.unit_price_minor;
    lineDiscounts += l.discount_minor ?? 0;
  }
  const discount = o.discount_minor ?? lineDiscounts;
  const shipping = o.shipping_minor ?? 0;
  const tax = o.tax_minor ?? 0;
  const total = o.total_minor ?? Math.max(0, subtotal - discount + shipping + tax);
  if (!Number.isSafeInteger(subtotal) || !Number.isSafeInteger(total)) {
    throw new ComebackError('VALIDATION_FAILED', 'Order amounts exceed the supported range', [
      { path: 'lines', message: 'quantity × unit_price_minor too large' },
    ]);
  }
  return { subtotal, discount, shipping, tax, total };
}

/** orderAmounts, refusing the order at its position in the batch when its amounts are out of range. */
function amountsAt(inputs: readonly OrderInput[], o: OrderInput): ReturnType<typeof orderAmounts> {
  try {
    return orderAmounts(o);
  } catch (err) {
    if (err instanceof ComebackError) throw new RecordError(inputs.lastIndexOf(o), err.message, err.details);
    throw err;
  }
}

/**
 * Upserts orders (with their customers and lines) by (store, external_id). Identical content changes
 * nothing; an older `updated_at` than the stored one is ignored; a changed order has its lines
 * replaced. Runs in the caller's transaction; throws ConcurrentInsert on a lost insert race.
 */
export async function upsertOrders(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  inputs: readonly OrderInput[],
  now: Date,
): Promise<Map<string, UpsertResult>> {
  const orders = lastByExternalId(inputs);
  const results = new Map<string, UpsertResult>();
  if (orders.size === 0) return results;
  // Oldest order first: a customer on several orders of the batch keeps the newest one's details
  // (name, phone, billing address), whatever the order ids.
  const byPlacedAt = [...orders.values()].sort((a, b) => Date.parse(a.placed_at) - Date.parse(b.placed_at));
  const customers = await resolveCustomers(
    q,
    ids,
    storeId,
    byPlacedAt.map((o) => o.customer),
    now,
  );
  const products = await productIdsFor(
    q,
    storeId,
    [...orders.values()].flatMap((o) => o.lines),
  );
  const prepared = [...orders].map(([ext, o]) => {
    const a = amountsAt(inputs, o);
    const customerId = o.customer ? (customers.get(o.customer.external_id)?.id ?? null) : null;
    // Keys in sorted order at every level, so plain JSON is the canonical form contentHash would hash.
    const normalized = {
      a: { discount: a.discount, shipping: a.shipping, subtotal: a.subtotal, tax: a.tax, total: a.total },
      codes: o.discount_codes ?? [],
      currency: o.currency,
      customerId,
      lines: o.lines.map((l) => [
        l.sku ?? null,
        l.product_external_id ?? null,
        l.title ?? null,
        l.quantity,
        l.unit_price_minor,
        l.discount_minor ?? 0,
      ]),
      placed_at: new Date(o.placed_at).toISOString(),
      source: o.source ?? null,
      status: o.status ?? 'paid',
    };
    const updatedAt = o.updated_at ? new Date(o.updated_at) : null;
    return { ext, o, a, customerId, normalized, hash: sortedContentHash(normalized), updatedAt };
  });
  type Stored = { id: string; external_id: string; content_hash: string; source_updated_at: Date | null };
  const select = (externalIds: string[], lock: boolean) =>
    q.query<Stored>(
      `select id, external_id, content_hash, source_updated_at from orders
       where store_id = $1 and external_id = any($2::text[])${lock ? LOCK_IN_ORDER : ''}`,
      [storeId, externalIds],
    );
  const unchanged = (p: (typeof prepared)[number], row: Stored) =>
    (p.updatedAt && row.source_updated_at && p.updatedAt < row.source_updated_at) ||
    row.content_hash === p.hash;
  // Read without locks; lock only the orders that change and decide again on their locked version.
  const byExt = new Map((await select([...orders.keys()], false)).rows.map((r) => [r.external_id, r]));
  const changing = prepared
    .filter((p) => byExt.has(p.ext) && !unchanged(p, byExt.get(p.ext)!))
    .map((p) => p.ext);
  if (changing.length > 0) {
    for (const ext of changing) byExt.delete(ext);
    for (const row of (await select(changing, true)).rows) byExt.set(row.external_id, row);
  }
  const inserts: unknown[][] = [];
  const updates: unknown[][] = [];
  const lines: unknown[][] = [];
  const replacedIds: string[] = [];
  for (const p of prepared) {
    const { ext, o, a, customerId, normalized, hash, updatedAt } = p;
    const row = byExt.get(ext);
    if (row && unchanged(p, row)) {
      results.set(ext, { id: row.id, external_id: ext, status: 'unchanged' });
      continue;
    }
    const id = row?.id ?? ids('order');
    const values = [
      storeId,
      id,
      customerId,
      normalized.placed_at,
      o.currency,
      a.subtotal,
      a.discount,
      a.shipping,
      a.tax,
      a.total,
      normalized.status,
      normalized.source,
      normalized.codes,
      o.lines.length,
      updatedAt ?? row?.source_updated_at ?? null,
      hash,
    ];
    if (row) {
      updates.push(values);
      replacedIds.push(id);
    } else {
      inserts.push([...values, ext]);
    }
    o.lines.forEach((l, i) => {
      const productId =
        (l.product_external_id && products.byExt.get(l.product_external_id)) ||
        (l.sku && products.bySku.get(l.sku)) ||
        null;
      const discount = l.discount_minor ?? 0;
      lines.push([
        storeId,
        id,
        i + 1,
        productId,
        l.sku ?? null,
        l.product_external_id ?? null,
        l.title ?? null,
        l.quantity,
        l.unit_price_minor,
        discount,
        l.quantity * l.unit_price_minor - discount,
      ]);
    });
    results.set(ext, { id, external_id: ext, status: row ? 'updated' : 'created' });
  }
  if (inserts.length) {
    const inserted = await bulkInsert(
      q,
      'orders',
      [...ORDER_COLUMNS, { name: 'external_id', type: 'text' }],
      inserts,
      'on conflict (store_id, external_id) do nothing returning id',
    );
    if (inserted.length !== inserts.length) throw new ConcurrentInsert();
  }
  if (updates.length) {
    await bulkUpdate(q, 'orders', ORDER_COLUMNS, updates, 'updated_at = now()');
    await q.query('delete from order_lines where store_id = $1 and order_id = any($2::text[])', [
      storeId,
      replacedIds,
    ]);
    // The store's status does not know our refunds: a refunded order keeps the status they give it.
    await q.query(
      `update orders set status = case when refunded_minor >= total_minor then 'refunded' else 'partially_refunded' end
       where store_id = $1 and id = any($2::text[]) and refunded_minor > 0 and status in ('open', 'paid', 'fulfilled')`,
      [storeId, replacedIds],
    );
  }
  await bulkInsert(q, 'order_lines', LINE_COLUMNS, lines);
  return results;
}

const ORDER_PUBLIC = `o.id, o.external_id, o.customer_id, c.external_id as customer_external_id, o.placed_at, o.currency,
  o.subtotal_minor, o.discount_minor, o.shipping_minor, o.tax_minor, o.total_minor, o.refunded_minor, o.status,
  o.source, o.discount_codes, o.inserted_at as created_at, o.updated_at`;

export interface Order {
  id: string;
  external_id: string;
  lines?: unknown[];
  [k: string]: unknown;
}

async function attachLines(q: Queryable, storeId: string, orders: Order[]): Promise<Order[]> {
  if (orders.length === 0) return orders;
  const res = await q.query<{ order_id: string } & Record<string, unknown>>(
    `select order_id, line_no, product_id, sku, product_external_id, title, quantity, unit_price_minor, discount_minor, total_minor
     from order_lines where store_id = $1 and order_id = any($2::text[]) order by order_id, line_no`,
    [storeId, orders.map((o) => o.id)],
  );
  const byOrder = new Map<string, unknown[]>();
  for (const { order_id, ...line } of res.rows) {
    const list = byOrder.get(order_id) ?? [];
    list.push(line);
    byOrder.set(order_id, list);
  }
  for (const o of orders) o.lines = byOrder.get(o.id) ?? [];
  return orders;
}

export async function findOrder(q: Queryable, storeId: string, idOrExternal: string): Promise<Order | null> {
  const byId = isIdOf('order', idOrExternal);
  const res = await q.query<Order>(
    `select ${ORDER_PUBLIC} from orders o left join customers c on c.store_id = o.store_id and c.id = o.customer_id
     where o.store_id = $1 and o.${byId ? 'id' : 'external_id'} = $2`,
    [storeId, idOrExternal],
  );
  const [o] = await attachLines(q, storeId, res.rows);
  return o ?? null;
}

export async function getOrder(q: Queryable, storeId: string, idOrExternal: string): Promise<Order> {
  const o = await findOrder(q, storeId, idOrExternal);
  if (!o) throw notFound('Order', idOrExternal);
  return o;
}

/** A customer's most recently placed orders, newest first, with their lines (the 360° view). */
export async function recentOrders(
  q: Queryable,
  storeId: string,
  customerId: string,
  limit: number,
): Promise<Order[]> {
  const res = await q.query<Order>(
    `select ${ORDER_PUBLIC} from orders o left join customers c on c.store_id = o.store_id and c.id = o.customer_id
     where o.store_id = $1 and o.customer_id = $2 order by o.placed_at desc, o.id desc limit $3`,
    [storeId, customerId, limit],
  );
  return attachLines(q, storeId, res.rows);
}

/** A customer's order metrics over the orders not cancelled: count, net revenue, refunds, first and last, average. */
export async function customerOrderMetrics(q: Queryable, storeId: string, customerId: string) {
  const res = await q.query(
    `select count(*)::int as orders_count, coalesce(sum(total_minor - refunded_minor), 0)::int8 as net_revenue_minor,
       coalesce(sum(refunded_minor), 0)::int8 as refunded_minor, min(placed_at) as first_order_at, max(placed_at) as last_order_at,
       case when count(*) > 0 then round(avg(total_minor))::int8 end as aov_minor
     from orders where store_id = $1 and customer_id = $2 and status <> 'cancelled'`,
    [storeId, customerId],
  );
  return res.rows[0];
}

export interface OrderListFilter {
  cursor?: string;
  limit: number;
  updated_since?: string;
  external_id?: string;
  customer_id?: string;
  placed_from?: string;
  placed_to?: string;
}

export async function listOrders(q: Queryable, storeId: string, f: OrderListFilter) {
  const w = new SqlFilter([storeId]);
  w.clauses.push('o.store_id = $1');
  if (f.updated_since) w.add('o.updated_at >= ?::timestamptz', f.updated_since);
  if (f.external_id) w.add('o.external_id = ?', f.external_id);
  if (f.customer_id) {
    if (isIdOf('customer', f.customer_id)) w.add('o.customer_id = ?', f.customer_id);
    else w.add('c.external_id = ?', f.customer_id);
  }
  if (f.placed_from) w.add('o.placed_at >= ?::timestamptz', f.placed_from);
  if (f.placed_to) w.add('o.placed_at < ?::timestamptz', f.placed_to);
  w.addCursor(f.cursor, 'o');
  const res = await q.query<Order & { cursor_ts: string }>(
    `select ${ORDER_PUBLIC}, o.updated_at::text as cursor_ts
     from orders o left join customers c on c.store_id = o.store_id and c.id = o.customer_id
     ${w.where()} order by o.updated_at, o.id limit ${w.next()}`,
    [...w.params, f.limit + 1],
  );
  const p = page(res.rows, f.limit);
  await attachLines(q, storeId, p.data);
  return p;
}

const PRODUCT_COLUMNS: BulkColumn[] = [
  { name: 'store_id', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'sku', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'category', type: 'text' },
  { name: 'price_minor', type: 'int8' },
  { name: 'currency', type: 'text' },
  { name: 'replenishment_interval_days', type: 'int4' },
  { name: 'attributes', type: 'jsonb' },
  { name: 'source_updated_at', type: 'timestamptz' },
  { name: 'content_hash', type: 'text' },
];

/** Upserts products by (store, external_id): full replacement of the described fields. */
export async function upsertProducts(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  inputs: readonly ProductInput[],
): Promise<Map<string, UpsertResult>> {
  const products = lastByExternalId(inputs);
  const results = new Map<string, UpsertResult>();
  if (products.size === 0) return results;
  const existing = await q.query<{
    id: string;
    external_id: string;
    content_hash: string;
    source_updated_at: Date | null;
  }>(
    `select id, external_id, content_hash, source_updated_at from products
     where store_id = $1 and external_id = any($2::text[]) for update`,
    [storeId, [...products.keys()]],
  );
  const byExt = new Map(existing.rows.map((r) => [r.external_id, r]));
  const inserts: unknown[][] = [];
  const updates: unknown[][] = [];
  for (const [ext, p] of products) {
    const v = [
      p.sku ?? null,
      p.title,
      p.category ?? null,
      p.price_minor ?? null,
      p.currency ?? null,
      p.replenishment_interval_days ?? null,
      p.attributes ?? {},
    ];
    const hash = contentHash(v);
    const updatedAt = p.updated_at ? new Date(p.updated_at) : null;
    const row = byExt.get(ext);
    if (
      row &&
      ((updatedAt && row.source_updated_at && updatedAt < row.source_updated_at) || row.content_hash === hash)
    ) {
      results.set(ext, { id: row.id, external_id: ext, status: 'unchanged' });
      continue;
    }
    const id = row?.id ?? ids('product');
    const values = [storeId, id, ...v, updatedAt ?? row?.source_updated_at ?? null, hash];
    if (row) updates.push(values);
    else inserts.push([...values, ext]);
    results.set(ext, { id, external_id: ext, status: row ? 'updated' : 'created' });
  }
  if (inserts.length) {
    const inserted = await bulkInsert(
      q,
      'products',
      [...PRODUCT_COLUMNS, { name: 'external_id', type: 'text' }],
      inserts,
      'on conflict (store_id, external_id) do nothing returning id',
    );
    if (inserted.length !== inserts.length) throw new ConcurrentInsert();
  }
  await bulkUpdate(q, 'products', PRODUCT_COLUMNS, updates, 'updated_at = now()');
  return results;
}

const PRODUCT_PUBLIC = `id, external_id, sku, title, category, price_minor, currency, replenishment_interval_days,
  attributes, inserted_at as created_at, updated_at`;

/**
 * One row of `table` by our id (its kind's prefix) or the store's external id: the value's form picks
 * the column, so the lookup goes through one unique index.
 */
async function findByIdOrExternal(
  q: Queryable,
  table: string,
  fields: string,
  kind: IdKind,
  storeId: string,
  idOrExternal: string,
) {
  const column = isIdOf(kind, idOrExternal) ? 'id' : 'external_id';
  const res = await q.query(`select ${fields} from ${table} where store_id = $1 and ${column} = $2`, [
    storeId,
    idOrExternal,
  ]);
  return res.rows[0] ?? null;
}

export function findProduct(q: Queryable, storeId: string, idOrExternal: string) {
  return findByIdOrExternal(q, 'products', PRODUCT_PUBLIC, 'product', storeId, idOrExternal);
}

export async function listProducts(
  q: Queryable,
  storeId: string,
  f: {
    cursor?: string;
    limit: number;
    updated_since?: string;
    external_id?: string;
    sku?: string;
    category?: string;
  },
) {
  const w = new SqlFilter([storeId]);
  w.clauses.push('store_id = $1');
  if (f.updated_since) w.add('updated_at >= ?::timestamptz', f.updated_since);
  if (f.external_id) w.add('external_id = ?', f.external_id);
  if (f.sku) w.add('sku = ?', f.sku);
  if (f.category) w.add('category = ?', f.category);
  w.addCursor(f.cursor);
  const res = await q.query<{ id: string; cursor_ts: string }>(
    `select ${PRODUCT_PUBLIC}, updated_at::text as cursor_ts from products ${w.where()}
     order by updated_at, id limit ${w.next()}`,
    [...w.params, f.limit + 1],
  );
  return page(res.rows, f.limit);
}

const REFUND_COLUMNS: BulkColumn[] = [
  { name: 'store_id', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'order_id', type: 'text' },
  { name: 'customer_id', type: 'text' },
  { name: 'refunded_at', type: 'timestamptz' },
  { name: 'currency', type: 'text' },
  { name: 'amount_minor', type: 'int8' },
  { name: 'reason', type: 'text' },
  { name: 'content_hash', type: 'text' },
];

const REFUND_LINE_COLUMNS: BulkColumn[] = [
  { name: 'store_id', type: 'text' },
  { name: 'refund_id', type: 'text' },
  { name: 'line_no', type: 'int4' },
  { name: 'order_line_no', type: 'int4' },
  { name: 'sku', type: 'text' },
  { name: 'quantity', type: 'int4' },
  { name: 'amount_minor', type: 'int8' },
];

/** Upserts refunds by external id and keeps each order's refunded total and status in step. */
export async function upsertRefunds(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  inputs: readonly RefundInput[],
  now: Date,
): Promise<Map<string, UpsertResult>> {
  const refunds = lastByExternalId(inputs);
  const results = new Map<string, UpsertResult>();
  if (refunds.size === 0) return results;
  const customers = await resolveCustomers(
    q,
    ids,
    storeId,
    [...refunds.values()].map((r) => r.customer),
    now,
  );
  const orderRefs = [...refunds.values()]
    .map((r) => r.order_id ?? r.order_external_id)
    .filter((x): x is string => !!x);
  // Locked (in id order, so batches never wait in a cycle): a concurrent refund of the same order
  // commits before our refunded total is summed, and neither refund is lost.
  const orderRows = await q.query<{ id: string; external_id: string; customer_id: string | null }>(
    `select id, external_id, customer_id from orders where store_id = $1 and (id = any($2::text[]) or external_id = any($2::text[]))
     order by id for no key update`,
    [storeId, orderRefs],
  );
  const orderBy = new Map<string, { id: string; customer_id: string | null }>();
  for (const o of orderRows.rows) {
    orderBy.set(o.id, o);
    orderBy.set(o.external_id, o);
  }
  const existing = await q.query<{ id: string; external_id: string; content_hash: string }>(
    `select id, external_id, content_hash from refunds where store_id = $1 and external_id = any($2::text[])${LOCK_IN_ORDER}`,
    [storeId, [...refunds.keys()]],
  );
  const byExt = new Map(existing.rows.map((r) => [r.external_id, r]));
  const touchedOrders = new Set<string>();
  const inserts: unknown[][] = [];
  const updates: unknown[][] = [];
  const lines: unknown[][] = [];
  const replacedIds: string[] = [];
  for (const [ext, r] of refunds) {
    const ref = r.order_id ?? r.order_external_id;
    const order = ref ? orderBy.get(ref) : undefined;
    if (ref && !order) {
      throw new RecordError(inputs.lastIndexOf(r), `Refund ${ext} names an order that does not exist`, [
        { path: r.order_id ? 'order_id' : 'order_external_id', message: `no order ${ref} in this store` },
      ]);
    }
    const customerId =
      (r.customer && customers.get(r.customer.external_id)?.id) || order?.customer_id || null;
    const hash = contentHash([
      order?.id ?? null,
      customerId,
      r.refunded_at,
      r.currency,
      r.amount_minor,
      r.reason ?? null,
      r.lines ?? [],
    ]);
    const row = byExt.get(ext);
    if (row?.content_hash === hash) {
      results.set(ext, { id: row.id, external_id: ext, status: 'unchanged' });
      continue;
    }
    const id = row?.id ?? ids('refund');
    const values = [
      storeId,
      id,
      order?.id ?? null,
      customerId,
      r.refunded_at,
      r.currency,
      r.amount_minor,
      r.reason ?? null,
      hash,
    ];
    if (row) {
      updates.push(values);
      replacedIds.push(id);
    } else {
      inserts.push([...values, ext]);
    }
    (r.lines ?? []).forEach((l, i) => {
      lines.push([storeId, id, i + 1, l.line_no ?? null, l.sku ?? null, l.quantity, l.amount_minor]);
    });
    if (order) touchedOrders.add(order.id);
    results.set(ext, { id, external_id: ext, status: row ? 'updated' : 'created' });
  }
  if (inserts.length) {
    const inserted = await bulkInsert(
      q,
      'refunds',
      [...REFUND_COLUMNS, { name: 'external_id', type: 'text' }],
      inserts,
      'on conflict (store_id, external_id) do nothing returning id',
    );
    if (inserted.length !== inserts.length) throw new ConcurrentInsert();
  }
  if (updates.length) {
    await bulkUpdate(q, 'refunds', REFUND_COLUMNS, updates, 'updated_at = now()');
    await q.query('delete from refund_lines where store_id = $1 and refund_id = any($2::text[])', [
      storeId,
      replacedIds,
    ]);
  }
  await bulkInsert(q, 'refund_lines', REFUND_LINE_COLUMNS, lines);
  if (touchedOrders.size) {
    await q.query(
      `update orders o set refunded_minor = s.refunded,
         status = case when s.refunded >= o.total_minor then 'refunded' when s.refunded > 0 then 'partially_refunded' else o.status end,
         updated_at = now()
       from (select order_id, sum(amount_minor) as refunded from refunds
             where store_id = $1 and order_id = any($2::text[]) group by order_id) s
       where o.store_id = $1 and o.id = s.order_id`,
      [storeId, [...touchedOrders]],
    );
  }
  return results;
}

const REFUND_FIELDS = 'id, external_id, order_id, customer_id, refunded_at, currency, amount_minor, reason';

/** A refund by our id or the store's external id. */
export function findRefund(q: Queryable, storeId: string, idOrExternal: string) {
  return findByIdOrExternal(q, 'refunds', REFUND_FIELDS, 'refund', storeId, idOrExternal);
}

export async function listRefunds(q: Queryable, storeId: string, orderId: string) {
  const res = await q.query(
    `select ${REFUND_FIELDS} from refunds where store_id = $1 and order_id = $2 order by refunded_at, id`,
    [storeId, orderId],
  );
  return res.rows;
}

/** Upserts carts; a newer `updated_at` (last activity) wins, an older one is ignored. */
export async function upsertCarts(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  inputs: readonly CartInput[],
  now: Date,
): Promise<Map<string, UpsertResult>> {
  const carts = lastByExternalId(inputs);
  const results = new Map<string, UpsertResult>();
  if (carts.size === 0) return results;
  const customers = await resolveCustomers(
    q,
    ids,
    storeId,
    [...carts.values()].map((c) => c.customer),
    now,
  );
  const recoveredRefs = [...carts.values()]
    .map((c) => c.recovered_order_external_id)
    .filter((x): x is string => !!x);
  const recovered = await q.query<{ id: string; external_id: string }>(
    'select id, external_id from orders where store_id = $1 and external_id = any($2::text[])',
    [storeId, recoveredRefs],
  );
  const orderByExt = new Map(recovered.rows.map((r) => [r.external_id, r.id]));
  const existing = await q.query<{
    id: string;
    external_id: string;
    content_hash: string;
    source_updated_at: Date;
  }>(
    `select id, external_id, content_hash, source_updated_at from carts where store_id = $1 and external_id = any($2::text[]) for update`,
    [storeId, [...carts.keys()]],
  );
  const byExt = new Map(existing.rows.map((r) => [r.external_id, r]));
  for (const [ext, c] of carts) {
    const customerId = c.customer ? (customers.get(c.customer.external_id)?.id ?? null) : null;
    const recoveredId = c.recovered_order_external_id
      ? (orderByExt.get(c.recovered_order_external_id) ?? null)
      : null;
    if (c.recovered_order_external_id && !recoveredId) {
      throw new RecordError(
        inputs.lastIndexOf(c),
        `Cart ${ext} names a recovered order that does not exist`,
        [
          {
            path: 'recovered_order_external_id',
            message: `no order ${c.recovered_order_external_id} in this store`,
          },
        ],
      );
    }
    const subtotal = c.lines.reduce((a, l) => a + l.quantity * l.unit_price_minor, 0);
    if (!Number.isSafeInteger(subtotal)) {
      throw new RecordError(inputs.lastIndexOf(c), `Cart ${ext}: amounts exceed the supported range`, [
        { path: 'lines', message: 'quantity × unit_price_minor too large' },
      ]);
    }
    const status = recoveredId ? 'converted' : (c.status ?? 'open');
    const email = c.email ?? c.customer?.email ?? null;
    const hash = contentHash([
      customerId,
      email,
      c.currency,
      c.lines,
      c.checkout_url ?? null,
      status,
      recoveredId,
    ]);
    const updatedAt = new Date(c.updated_at);
    const row = byExt.get(ext);
    if (row && (updatedAt < row.source_updated_at || row.content_hash === hash)) {
      results.set(ext, { id: row.id, external_id: ext, status: 'unchanged' });
      continue;
    }
    const id = row?.id ?? ids('cart');
    if (row) {
      await q.query(
        `update carts set customer_id = $3, email = $4, currency = $5, subtotal_minor = $6, status = $7, checkout_url = $8,
           recovered_order_id = $9, source_updated_at = $10, content_hash = $11, updated_at = now()
         where store_id = $1 and id = $2`,
        [
          storeId,
          id,
          customerId,
          email,
          c.currency,
          subtotal,
          status,
          c.checkout_url ?? null,
          recoveredId,
          updatedAt,
          hash,
        ],
      );
      await q.query('delete from cart_lines where store_id = $1 and cart_id = $2', [storeId, id]);
    } else {
      const ins = await q.query(
        `insert into carts (store_id, id, external_id, customer_id, email, currency, subtotal_minor, status, checkout_url,
           recovered_order_id, created_at, source_updated_at, content_hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) on conflict (store_id, external_id) do nothing returning id`,
        [
          storeId,
          id,
          ext,
          customerId,
          email,
          c.currency,
          subtotal,
          status,
          c.checkout_url ?? null,
          recoveredId,
          c.created_at ?? updatedAt,
          updatedAt,
          hash,
        ],
      );
      if (ins.rows.length === 0) throw new ConcurrentInsert();
    }
    await bulkInsert(
      q,
      'cart_lines',
      [
        { name: 'store_id', type: 'text' },
        { name: 'cart_id', type: 'text' },
        { name: 'line_no', type: 'int4' },
        { name: 'sku', type: 'text' },
        { name: 'product_external_id', type: 'text' },
        { name: 'title', type: 'text' },
        { name: 'quantity', type: 'int4' },
        { name: 'unit_price_minor', type: 'int8' },
      ],
      c.lines.map((l, i) => [
        storeId,
        id,
        i + 1,
        l.sku ?? null,
        l.product_external_id ?? null,
        l.title ?? null,
        l.quantity,
        l.unit_price_minor,
      ]),
    );
    results.set(ext, { id, external_id: ext, status: row ? 'updated' : 'created' });
  }
  return results;
}

export async function findCart(q: Queryable, storeId: string, idOrExternal: string) {
  const byId = isIdOf('cart', idOrExternal);
  const res = await q.query<{ id: string; lines?: unknown[] }>(
    `select id, external_id, customer_id, email, currency, subtotal_minor, status, checkout_url, recovered_order_id,
       created_at, source_updated_at as last_activity_at, updated_at
     from carts where store_id = $1 and ${byId ? 'id' : 'external_id'} = $2`,
    [storeId, idOrExternal],
  );
  const cart = res.rows[0];
  if (!cart) return null;
  const lines = await q.query(
    `select line_no, sku, product_external_id, title, quantity, unit_price_minor from cart_lines
     where store_id = $1 and cart_id = $2 order by line_no`,
    [storeId, cart.id],
  );
  cart.lines = lines.rows;
  return cart;
}

export async function listCarts(
  q: Queryable,
  storeId: string,
  f: { cursor?: string; limit: number; updated_since?: string; external_id?: string; status?: string },
) {
  const w = new SqlFilter([storeId]);
  w.clauses.push('store_id = $1');
  if (f.updated_since) w.add('updated_at >= ?::timestamptz', f.updated_since);
  if (f.external_id) w.add('external_id = ?', f.external_id);
  if (f.status) w.add('status = ?', f.status);
  w.addCursor(f.cursor);
  const res = await q.query<{ id: string; cursor_ts: string }>(
    `select id, external_id, customer_id, email, currency, subtotal_minor, status, checkout_url, recovered_order_id,
       created_at, source_updated_at as last_activity_at, updated_at, updated_at::text as cursor_ts
     from carts ${w.where()} order by updated_at, id limit ${w.next()}`,
    [...w.params, f.limit + 1],
  );
  return page(res.rows, f.limit);
}

/** Records events; ones re-sent with the same external id are ignored. */
export async function insertEvents(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  inputs: readonly EventInput[],
  now: Date,
): Promise<Array<{ id: string | null; external_id: string | null; status: 'created' | 'unchanged' }>> {
  const refs = inputs.map((e) =>
    e.customer?.external_id ? { external_id: e.customer.external_id, email: e.customer.email } : null,
  );
  const customers = await resolveCustomers(q, ids, storeId, refs, now);
  const rows = inputs.map((e) => [
    storeId,
    ids('event'),
    e.external_id ?? null,
    e.type,
    e.customer?.external_id ? (customers.get(e.customer.external_id)?.id ?? null) : null,
    e.anonymous_id ?? null,
    e.occurred_at,
    e.payload ?? {},
  ]);
  const inserted = await bulkInsert<{ id: string }>(
    q,
    'events',
    [
      { name: 'store_id', type: 'text' },
      { name: 'id', type: 'text' },
      { name: 'external_id', type: 'text' },
      { name: 'type', type: 'text' },
      { name: 'customer_id', type: 'text' },
      { name: 'anonymous_id', type: 'text' },
      { name: 'occurred_at', type: 'timestamptz' },
      { name: 'payload', type: 'jsonb' },
    ],
    rows,
    'on conflict (store_id, external_id) do nothing returning id',
  );
  const created = new Set(inserted.map((r) => r.id));
  const out = [];
  for (let i = 0; i < inputs.length; i++) {
    const id = rows[i][1] as string;
    if (created.has(id))
      out.push({ id, external_id: inputs[i].external_id ?? null, status: 'created' as const });
    else {
      const prev = await q.query<{ id: string }>(
        'select id from events where store_id = $1 and external_id = $2',
        [storeId, inputs[i].external_id],
      );
      out.push({
        id: prev.rows[0]?.id ?? null,
        external_id: inputs[i].external_id ?? null,
        status: 'unchanged' as const,
      });
    }
  }
  return out;
}

const EVENT_FIELDS = 'id, external_id, type, customer_id, anonymous_id, occurred_at, payload';

/** A storefront event by our id or the store's external id. */
export function findEvent(q: Queryable, storeId: string, idOrExternal: string) {
  return findByIdOrExternal(q, 'events', EVENT_FIELDS, 'event', storeId, idOrExternal);
}

export async function listEvents(
  q: Queryable,
  storeId: string,
  f: { cursor?: string; limit: number; type?: string; customer_id?: string; since?: string },
) {
  const w = new SqlFilter([storeId]);
  w.clauses.push('store_id = $1');
  if (f.type) w.add('type = ?', f.type);
  if (f.customer_id) w.add('customer_id = ?', f.customer_id);
  if (f.since) w.add('occurred_at >= ?::timestamptz', f.since);
  if (f.cursor) w.add('id > ?', f.cursor);
  const res = await q.query<{ id: string }>(
    `select ${EVENT_FIELDS} from events ${w.where()}
     order by id limit ${w.next()}`,
    [...w.params, f.limit + 1],
  );
  const more = res.rows.length > f.limit;
  const data = more ? res.rows.slice(0, f.limit) : res.rows;
  return { data, next_cursor: more ? data[data.length - 1].id : null };
}
