/**
 * The loyalty module's database shell: the store's program, and each customer's append-only
 * ledger with its lots. A decision of `planLedgerOperation` is applied as inserted entries plus
 * lot updates guarded by `remaining = before`, in the caller's transaction.
 */
import { type BulkColumn, bulkInsert } from '../db/bulk.ts';
import { advisoryLock, lockKey, type Queryable } from '../db/client.ts';
import { SqlFilter } from '../db/pagination.ts';
import { ComebackError } from '../kernel/errors.ts';
import { createIdGenerator } from '../kernel/ids.ts';
import { isCredit, ledgerFromEntries } from './ledger.ts';
import { LoyaltyProgram } from './program.ts';
import type { CreditEntry, LedgerDecision, LedgerEntry, LedgerState, LoyaltyEvent } from './types.ts';

const eventIds = createIdGenerator();

/** The customer an event is about (a referral's: the referrer). */
function eventCustomer(e: LoyaltyEvent): string {
  return e.type === 'referral_converted' ? e.referrerId : e.customerId;
}

/** An event as a `loyalty_events` row (without store_id), as `jsonb_to_recordset` reads it. */
export function eventRecord(e: LoyaltyEvent): Record<string, unknown> {
  const { type, key, at, ...payload } = e;
  return {
    id: eventIds('loyaltyEvent'),
    customer_id: eventCustomer(e),
    kind: type,
    payload,
    at: new Date(at).toISOString(),
    dedupe_key: key,
  };
}

/** The columns `eventRecord` fills, for `jsonb_to_recordset(…) as v(…)`. */
export const EVENT_RECORD =
  'v(id text, customer_id text, kind text, payload jsonb, at timestamptz, dedupe_key text)';

/**
 * Appends events to the automation feed, each once: an event whose key is in the feed already is
 * skipped. Returns how many were new.
 */
export async function insertLoyaltyEvents(
  q: Queryable,
  storeId: string,
  events: readonly LoyaltyEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const res = await q.query(
    `insert into loyalty_events (store_id, id, customer_id, kind, payload, at, dedupe_key)
     select $1, v.id, v.customer_id, v.kind, v.payload, v.at, v.dedupe_key
     from jsonb_to_recordset($2::jsonb) as ${EVENT_RECORD}
     order by v.dedupe_key
     on conflict (store_id, dedupe_key) do nothing returning id`,
    [storeId, JSON.stringify(events.map(eventRecord))],
  );
  return res.rows.length;
}

/** An event as the feed lists it, with the transaction that wrote it (its cursor's first part). */
export interface FeedEvent {
  id: string;
  kind: string;
  customer_id: string | null;
  payload: unknown;
  at: Date;
  dedupe_key: string;
  tx: string | number;
}

/**
 * A page of the automation feed, oldest first by (writing transaction, id): only events of
 * transactions older than every running one, so none can commit behind a cursor handed out.
 */
export async function loyaltyEventsPage(
  q: Queryable,
  storeId: string,
  f: { kind?: string; customerId?: string; after: { tx: string; id: string } | null; limit: number },
): Promise<FeedEvent[]> {
  const w = new SqlFilter([storeId]);
  w.clauses.push('store_id = $1', 'tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint');
  if (f.kind) w.add('kind = ?', f.kind);
  if (f.customerId) w.add('customer_id = ?', f.customerId);
  if (f.after) w.addAll('(tx, id) > (?::bigint, ?)', [f.after.tx, f.after.id]);
  const res = await q.query<FeedEvent>(
    `select id, kind, customer_id, payload, at, dedupe_key, tx from loyalty_events
     ${w.where()} order by tx, id limit ${w.next()}`,
    [...w.params, f.limit],
  );
  return res.rows;
}

/** The name of a customer's ledger lock: every writer of their ledger (and a checkout of theirs) takes it first. */
export function ledgerLockKey(storeId: string, customerId: string): string {
  return `loyalty:${storeId}:${customerId}`;
}

/** Takes a customer's ledger lock for the rest of the transaction. */
export function lockLedger(q: Queryable, storeId: string, customerId: string): Promise<void> {
  return lockKey(q, ledgerLockKey(storeId, customerId));
}

/** A guarded write found the ledger changed under it (a concurrent writer): roll back and retry or refuse. */
export class LedgerConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerConflict';
  }
}

/** The store's program (defaults filled in), or null when it has none. */
export async function findProgram(q: Queryable, storeId: string): Promise<LoyaltyProgram | null> {
  const res = await q.query<{ config: unknown }>('select config from loyalty_programs where store_id = $1', [
    storeId,
  ]);
  return res.rows[0] ? LoyaltyProgram.parse(res.rows[0].config) : null;
}

/** Stores the program as parsed (defaults written out, so a later default change does not alter it). */
export async function saveProgram(q: Queryable, storeId: string, program: LoyaltyProgram): Promise<void> {
  await q.query(
    `insert into loyalty_programs (store_id, config) values ($1, $2::jsonb)
     on conflict (store_id) do update set config = excluded.config, updated_at = now()`,
    [storeId, JSON.stringify(program)],
  );
}

/**
 * A customer's ledger folded from its entries. With `lock`, first takes a per-customer
 * transaction lock so that concurrent writers for the same customer plan one after another.
 */
export async function loadLedger(
  q: Queryable,
  storeId: string,
  customerId: string,
  lock = false,
): Promise<LedgerState> {
  if (lock) await lockLedger(q, storeId, customerId);
  const res = await q.query<{ entry: LedgerEntry }>(
    'select entry from loyalty_entries where store_id = $1 and customer_id = $2 order by seq',
    [storeId, customerId],
  );
  return ledgerFromEntries(
    customerId,
    res.rows.map((r) => r.entry),
  );
}

/** The columns of `loyalty_entries` a write fills, in `entryRow`'s order. */
export const ENTRY_COLUMNS: readonly BulkColumn[] = [
  { name: 'store_id', type: 'text' },
  { name: 'customer_id', type: 'text' },
  { name: 'key', type: 'text' },
  { name: 'operation_key', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'points', type: 'int8' },
  { name: 'order_id', type: 'text' },
  { name: 'at', type: 'timestamptz' },
  { name: 'entry', type: 'jsonb' },
];

/** An entry as a `loyalty_entries` row (the whole entry kept as jsonb, the ledger's source of truth). */
export function entryRow(storeId: string, e: LedgerEntry): unknown[] {
  return [
    storeId,
    e.customerId,
    e.key,
    e.operationKey,
    e.kind,
    e.points,
    e.orderId,
    new Date(e.at).toISOString(),
    e,
  ];
}

/** The columns of `loyalty_lots`, in `lotRow`'s order. */
export const LOT_COLUMNS: readonly BulkColumn[] = [
  { name: 'store_id', type: 'text' },
  { name: 'customer_id', type: 'text' },
  { name: 'lot', type: 'text' },
  { name: 'points', type: 'int8' },
  { name: 'remaining', type: 'int8' },
  { name: 'available_at', type: 'timestamptz' },
  { name: 'expires_at', type: 'timestamptz' },
  { name: 'order_id', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'at', type: 'timestamptz' },
];

/** The lot a credit entry opens, untouched (remaining = points). */
export function lotRow(storeId: string, e: CreditEntry): unknown[] {
  return [
    storeId,
    e.customerId,
    e.key,
    e.points,
    e.points,
    new Date(e.availableAt).toISOString(),
    e.expiresAt === null ? null : new Date(e.expiresAt).toISOString(),
    e.orderId,
    e.kind,
    new Date(e.at).toISOString(),
  ];
}

/** Several customers' ledgers in one read (no locks: take `lockLedgers` first to plan writes). */
export async function loadLedgers(
  q: Queryable,
  storeId: string,
  customerIds: readonly string[],
): Promise<Map<string, LedgerState>> {
  const res = await q.query<{ customer_id: string; entry: LedgerEntry }>(
    `select customer_id, entry from loyalty_entries where store_id = $1 and customer_id = any($2::text[])
     order by customer_id, seq`,
    [storeId, customerIds],
  );
  const grouped = new Map<string, LedgerEntry[]>(customerIds.map((c) => [c, []]));
  for (const r of res.rows) grouped.get(r.customer_id)?.push(r.entry);
  return new Map([...grouped].map(([c, entries]) => [c, ledgerFromEntries(c, entries)]));
}

/**
 * Takes the per-customer ledger locks (the ones `loadLedger(…, true)` takes) for several customers
 * in one statement, in a fixed order so concurrent writers never wait on each other in a cycle.
 */
export async function lockLedgers(
  q: Queryable,
  storeId: string,
  customerIds: readonly string[],
): Promise<void> {
  const sorted = [...new Set(customerIds)].sort();
  if (sorted.length === 0) return;
  await q.query(`select ${advisoryLock('k')} from unnest($1::text[]) as k`, [
    sorted.map((c) => ledgerLockKey(storeId, c)),
  ]);
}

/** Writes an `append` decision: entries, a lot per credit, guarded lot changes, its events. Throws `LedgerConflict` on a guard miss. */
export async function applyLedgerDecision(
  q: Queryable,
  storeId: string,
  decision: LedgerDecision,
): Promise<void> {
  if (decision.type !== 'append') return;
  // One statement per table, whatever the number of entries and lots (a commit's path is short).
  const { entries, lotChanges } = decision;
  if (entries.length > 0) {
    const inserted = await bulkInsert<{ key: string }>(
      q,
      'loyalty_entries',
      ENTRY_COLUMNS,
      entries.map((e) => entryRow(storeId, e)),
      'on conflict do nothing returning key',
    );
    if (inserted.length !== entries.length) {
      const got = new Set(inserted.map((r) => r.key));
      const existing = entries.find((e) => !got.has(e.key));
      throw new LedgerConflict(`Ledger entry ${existing?.key} exists already`);
    }
    const credits = entries.filter(isCredit);
    await bulkInsert(
      q,
      'loyalty_lots',
      LOT_COLUMNS,
      credits.map((e) => lotRow(storeId, e)),
    );
  }
  if (lotChanges.length > 0) {
    // Guarded: each lot must still hold what the plan read (`remaining = before`), else retry the plan.
    const upd = await q.query(
      `update loyalty_lots l set remaining = c.after
       from jsonb_to_recordset($3::jsonb) as c(lot text, after bigint, before bigint)
       where l.store_id = $1 and l.customer_id = $2 and l.lot = c.lot and l.remaining = c.before returning l.lot`,
      [storeId, entries[0]?.customerId, JSON.stringify(lotChanges)],
    );
    // The planner changes each lot once (its changes are keyed by lot).
    if (upd.rows.length !== lotChanges.length) throw new LedgerConflict('A lot changed concurrently');
  }
  await insertLoyaltyEvents(q, storeId, decision.events);
}

/** The rows an `append` decision writes per table, for `noteRowsWritten` (planner statistics). */
export function ledgerRowsWritten(decision: LedgerDecision | null): Record<string, number> {
  if (decision?.type !== 'append') return {};
  return {
    loyalty_entries: decision.entries.length,
    loyalty_lots: decision.entries.filter(isCredit).length,
    loyalty_events: decision.events.length,
  };
}

/** A refused ledger operation as an API error. */
export function ledgerRefusal(decision: Extract<LedgerDecision, { type: 'rejected' }>): ComebackError {
  const r = decision.rejection;
  if (r.reason === 'insufficient_points')
    return new ComebackError('CONFLICT', `Only ${r.available} points are available (${r.requested} asked)`, [
      { path: 'points', message: 'insufficient_points' },
    ]);
  if (r.reason === 'reason_required')
    return new ComebackError('VALIDATION_FAILED', 'A reason is required', [
      { path: 'reason', message: 'reason_required' },
    ]);
  return new ComebackError('VALIDATION_FAILED', `Invalid points: ${r.points}`, [
    { path: 'points', message: 'invalid_points' },
  ]);
}

/** Lots with points left and the latest entries, for the customer's loyalty page. */
export async function ledgerView(
  q: Queryable,
  storeId: string,
  customerId: string,
  entriesLimit = 100,
): Promise<{ lots: Record<string, unknown>[]; entries: Record<string, unknown>[] }> {
  const lots = await q.query(
    `select lot, points, remaining, available_at, expires_at from loyalty_lots
     where store_id = $1 and customer_id = $2 and remaining > 0 order by expires_at nulls last, lot`,
    [storeId, customerId],
  );
  const entries = await q.query(
    `select key, operation_key, kind, points, order_id, at, entry->>'reason' as reason, entry->'source' as source
     from loyalty_entries where store_id = $1 and customer_id = $2 order by seq desc limit $3`,
    [storeId, customerId, entriesLimit],
  );
  return { lots: lots.rows, entries: entries.rows };
}
