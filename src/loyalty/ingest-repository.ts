/**
 * Points for orders and refunds that arrive through ingestion (the order API, batches, file
 * imports), in the ingesting transaction. Set-based per batch: one program lookup; for a store
 * with a program, one read of the batch's orders and lines, one insert of the new entries, lots and
 * events. Earn entries are keyed `earn:<order external id>`, as checkout's commit keys them, so an
 * order earns once however often it arrives or is committed.
 */
import { bulkInsert } from '../db/bulk.ts';
import type { Queryable } from '../db/client.ts';
import { DAY_MS } from '../kernel/time.ts';
import { applyDecision, emptyLedger, planLedgerOperation } from './ledger.ts';
import {
  EARNING_STATUSES,
  type IngestedOrder,
  ingestedEarnOperation,
  ingestedRefundOperation,
  VOID_STATUSES,
} from './order-earn.ts';
import type { LoyaltyProgram } from './program.ts';
import {
  applyLedgerDecision,
  ENTRY_COLUMNS,
  entryRow,
  findProgram,
  insertLoyaltyEvents,
  LOT_COLUMNS,
  loadLedgers,
  lockLedgers,
  lotRow,
} from './repository.ts';
import { membershipsHolding, storedTierAt } from './tier-repository.ts';
import { tierBenefits } from './tiers.ts';
import type { CreditEntry, LoyaltyEvent } from './types.ts';

interface OrderRow {
  id: string;
  external_id: string;
  customer_id: string;
  placed_at: Date | string;
  status: string;
  currency: string;
  discount_minor: number | string;
  total_minor: number | string;
  shipping_minor: number | string;
  refunded_minor: number | string;
  first: boolean;
  tier: string | null;
  earned_tier: string | null;
  memberships: [string, number, number][] | null;
  earned: boolean;
  has_entries: boolean;
}

interface LineRow {
  order_id: string;
  product_external_id: string | null;
  sku: string | null;
  category: string | null;
  discount_minor: number | string;
  total_minor: number | string;
}

function ms(v: Date | string): number {
  return v instanceof Date ? v.getTime() : Date.parse(v);
}

/**
 * Orders placed before this would earn points that have lapsed already (`ingestedEarnOperation`
 * refuses them): the read skips them, so importing years of history costs next to nothing.
 */
function earnCutoff(program: LoyaltyProgram, now: number): string | null {
  if (program.expiryDays === null) return null;
  return new Date(now - (program.pendingDays + program.expiryDays) * DAY_MS).toISOString();
}

/** What ingestion did to the ledger in one batch. */
export interface IngestPoints {
  earned: number;
  reversed: number;
}

/**
 * Books points for orders just created or changed (our ids): orders of a customer, in an earning
 * status, with no earn entry yet; and takes them back for orders that were cancelled or refunded
 * in full. No-op, after one lookup, for a store without a program.
 */
export async function earnForIngestedOrders(
  q: Queryable,
  storeId: string,
  orderIds: readonly string[],
  now: number,
  program?: LoyaltyProgram | null,
): Promise<IngestPoints> {
  const out = { earned: 0, reversed: 0 };
  if (orderIds.length === 0) return out;
  const prog = program === undefined ? await findProgram(q, storeId) : program;
  if (prog === null) return out;
  // The batch's ledger locks before deciding what to earn or void, all at once and in one order
  // (concurrent batches never wait in a cycle): a checkout commit still open for one of these orders
  // commits first, and its entries are seen.
  const customers = await q.query<{ customer_id: string }>(
    `select distinct customer_id from orders where store_id = $1 and id = any($2::text[]) and customer_id is not null`,
    [storeId, orderIds],
  );
  await lockLedgers(
    q,
    storeId,
    customers.rows.map((r) => r.customer_id),
  );
  const res = await q.query<OrderRow>(
    `select o.id, o.external_id, o.customer_id, o.placed_at, o.status, o.currency, o.discount_minor, o.total_minor, o.shipping_minor,
       o.refunded_minor, t.tier, t.earned_tier,
       -- The tier in force when the order was placed (a membership ended since no longer holds it).
       ${membershipsHolding('t', 'o.store_id', 'o.customer_id', 'o.placed_at')} as memberships,
       -- First order as checkout counts it: no earlier paid order (EARNING_STATUSES).
       not exists (select 1 from orders p where p.store_id = o.store_id and p.customer_id = o.customer_id
         and p.status = any($3::text[]) and (p.placed_at, p.id) < (o.placed_at, o.id)) as first,
       exists (select 1 from loyalty_entries e where e.store_id = o.store_id and e.customer_id = o.customer_id
         and e.key = 'earn:' || o.external_id) as earned,
       exists (select 1 from loyalty_entries e where e.store_id = o.store_id and e.customer_id = o.customer_id
         and e.order_id = o.external_id) as has_entries
     from orders o
     left join customer_tiers t on t.store_id = o.store_id and t.customer_id = o.customer_id
     where o.store_id = $1 and o.id = any($2::text[]) and o.customer_id is not null
       and (o.status = any($3::text[]) and ($5::timestamptz is null or o.placed_at > $5) or o.status = any($4::text[]))`,
    [storeId, orderIds, EARNING_STATUSES, VOID_STATUSES, earnCutoff(prog, now)],
  );
  const toEarn = res.rows.filter((r) => !r.earned && EARNING_STATUSES.includes(r.status));
  const toVoid = res.rows.filter((r) => r.has_entries && VOID_STATUSES.includes(r.status));
  if (toEarn.length > 0) out.earned = await earnOrders(q, storeId, prog, toEarn, now);
  if (toVoid.length > 0) out.reversed = await reverseOrders(q, storeId, toVoid, now);
  return out;
}

async function earnOrders(
  q: Queryable,
  storeId: string,
  program: LoyaltyProgram,
  rows: readonly OrderRow[],
  now: number,
): Promise<number> {
  const lines = await q.query<LineRow>(
    `select l.order_id, l.product_external_id, l.sku, p.category, l.discount_minor, l.total_minor
     from order_lines l left join products p on p.store_id = l.store_id and p.id = l.product_id
     where l.store_id = $1 and l.order_id = any($2::text[]) order by l.order_id, l.line_no`,
    [storeId, rows.map((r) => r.id)],
  );
  const byOrder = new Map<string, LineRow[]>();
  for (const l of lines.rows) {
    const list = byOrder.get(l.order_id) ?? [];
    list.push(l);
    byOrder.set(l.order_id, list);
  }
  const entries: CreditEntry[] = [];
  const events = new Map<string, LoyaltyEvent>();
  for (const r of rows) {
    const order: IngestedOrder = {
      externalId: r.external_id,
      customerId: r.customer_id,
      placedAt: ms(r.placed_at),
      status: r.status,
      currency: r.currency,
      lines: (byOrder.get(r.id) ?? []).map((l) => ({
        productId: l.product_external_id ?? l.sku ?? '',
        categoryIds: l.category ? [l.category] : [],
        totalMinor: Number(l.total_minor),
        discountMinor: Number(l.discount_minor),
      })),
      discountMinor: Number(r.discount_minor),
      isFirstOrder: r.first,
      tierMultiplierBps: tierBenefits(program.tiers, storedTierAt(program.tiers, r, ms(r.placed_at)))
        .earnMultiplierBps,
    };
    const op = ingestedEarnOperation(program, order, now);
    if (op === null) continue;
    const decision = planLedgerOperation(emptyLedger(r.customer_id), op);
    if (decision.type !== 'append') continue;
    for (const e of decision.entries) entries.push(e as CreditEntry);
    for (const e of decision.events) events.set(e.key, e);
  }
  if (entries.length === 0) return 0;
  entries.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  const inserted = await bulkInsert<{ customer_id: string; key: string }>(
    q,
    'loyalty_entries',
    ENTRY_COLUMNS,
    entries.map((e) => entryRow(storeId, e)),
    'on conflict do nothing returning customer_id, key',
  );
  // A checkout commit of the same order got there first: its entry stands, ours is dropped.
  const written = new Set(inserted.map((r) => `${r.customer_id}\u0000${r.key}`));
  const fresh = entries.filter((e) => written.has(`${e.customerId}\u0000${e.key}`));
  await bulkInsert(
    q,
    'loyalty_lots',
    LOT_COLUMNS,
    fresh.map((e) => lotRow(storeId, e)),
  );
  const freshKeys = new Set(fresh.map((e) => `points_earned:${e.customerId}:${e.key}`));
  await insertLoyaltyEvents(
    q,
    storeId,
    [...events.values()].filter((e) => freshKeys.has(e.key)),
  );
  return fresh.length;
}

/**
 * Takes back the refunded share of each order's points (and returns spent ones). The caller holds
 * the customers' ledger locks: their ledgers are read once, and each decision is planned on the
 * state the previous one left.
 */
async function reverseOrders(
  q: Queryable,
  storeId: string,
  rows: readonly OrderRow[],
  now: number,
): Promise<number> {
  const sorted = [...rows].sort((a, b) =>
    a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : a.id < b.id ? -1 : 1,
  );
  const ledgers = await loadLedgers(q, storeId, [...new Set(sorted.map((r) => r.customer_id))]);
  let n = 0;
  for (const r of sorted) {
    const op = ingestedRefundOperation(
      {
        externalId: r.external_id,
        status: r.status,
        totalMinor: Number(r.total_minor),
        shippingMinor: Number(r.shipping_minor),
        refundedMinor: Number(r.refunded_minor),
      },
      now,
    );
    if (op === null) continue;
    const state = ledgers.get(r.customer_id) ?? emptyLedger(r.customer_id);
    const decision = planLedgerOperation(state, op);
    if (decision.type !== 'append') continue;
    await applyLedgerDecision(q, storeId, decision);
    ledgers.set(r.customer_id, applyDecision(state, decision));
    n++;
  }
  return n;
}

/**
 * After refunds were written: takes back the refunded share of the points of their orders (those
 * with ledger entries: earned or paid with points), cumulatively, once per refunded total.
 */
export async function reverseForIngestedRefunds(
  q: Queryable,
  storeId: string,
  refundIds: readonly string[],
  now: number,
): Promise<number> {
  if (refundIds.length === 0) return 0;
  const program = await findProgram(q, storeId);
  if (program === null) return 0;
  // Locked before the read, as for orders: an open commit's entries for these orders are seen.
  const customers = await q.query<{ customer_id: string }>(
    `select distinct o.customer_id from orders o where o.store_id = $1 and o.customer_id is not null
       and o.id in (select order_id from refunds where store_id = $1 and id = any($2::text[]))`,
    [storeId, refundIds],
  );
  await lockLedgers(
    q,
    storeId,
    customers.rows.map((r) => r.customer_id),
  );
  const res = await q.query<OrderRow>(
    `select o.id, o.external_id, o.customer_id, o.status, o.total_minor, o.shipping_minor, o.refunded_minor
     from orders o
     where o.store_id = $1 and o.customer_id is not null
       and o.id in (select order_id from refunds where store_id = $1 and id = any($2::text[]))
       and exists (select 1 from loyalty_entries e where e.store_id = o.store_id and e.order_id = o.external_id
         and e.customer_id = o.customer_id)`,
    [storeId, refundIds],
  );
  return reverseOrders(q, storeId, res.rows, now);
}
