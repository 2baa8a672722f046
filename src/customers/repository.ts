import { type BulkColumn, bulkInsert, bulkUpdate, ConcurrentInsert } from '../db/bulk.ts';
import type { Queryable } from '../db/client.ts';
import { page, SqlFilter } from '../db/pagination.ts';
import { notFound } from '../kernel/errors.ts';
import { contentHash, sortedContentHash } from '../kernel/hash.ts';
import { type IdGenerator, isIdOf } from '../kernel/ids.ts';
import type { Address, ConsentInput, CustomerInput, CustomerRef } from './schemas.ts';

export type UpsertStatus = 'created' | 'updated' | 'unchanged';

export interface UpsertResult {
  id: string;
  external_id: string;
  status: UpsertStatus;
}

const FIELDS = [
  'email',
  'phone',
  'first_name',
  'last_name',
  'birthday',
  'locale',
  'timezone',
  'tags',
  'account_manager',
  'attributes',
  'address',
] as const;
type Field = (typeof FIELDS)[number];

interface CustomerRow {
  id: string;
  external_id: string;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  birthday: string | null;
  locale: string | null;
  timezone: string | null;
  tags: string[];
  account_manager: string | null;
  attributes: Record<string, unknown>;
  address: StoredAddress | null;
  created_at: Date;
  source_updated_at: Date | null;
  content_hash: string;
}

const COLUMNS: BulkColumn[] = [
  { name: 'store_id', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'phone', type: 'text' },
  { name: 'first_name', type: 'text' },
  { name: 'last_name', type: 'text' },
  { name: 'birthday', type: 'date' },
  { name: 'locale', type: 'text' },
  { name: 'timezone', type: 'text' },
  { name: 'tags', type: 'text[]' },
  { name: 'account_manager', type: 'text' },
  { name: 'attributes', type: 'jsonb' },
  { name: 'address', type: 'jsonb' },
  { name: 'source_updated_at', type: 'timestamptz' },
  { name: 'content_hash', type: 'text' },
];

type Values = Record<Field, unknown>;

/**
 * Row locks for an upsert, taken in key order. NO KEY UPDATE is what an update of non-key columns
 * takes anyway; unlike FOR UPDATE it lets other writers' foreign-key checks (orders of the customer)
 * through, which would otherwise wait on it, or deadlock.
 */
export const LOCK_IN_ORDER = ' order by external_id for no key update';

/** An address as stored: every key, in sorted order (so its JSON is canonical for the hash). */
interface StoredAddress {
  city: string | null;
  country: string | null;
  line1: string;
  line2: string | null;
  postal_code: string | null;
  region: string | null;
}

function storedAddress(a: Address | StoredAddress | null | undefined): StoredAddress | null {
  if (!a) return null;
  return {
    city: a.city ?? null,
    country: a.country ?? null,
    line1: a.line1,
    line2: a.line2 ?? null,
    postal_code: a.postal_code ?? null,
    region: a.region ?? null,
  };
}

function hashOf(v: Values): string {
  // A customer without an address hashes as before addresses were kept: sending it again changes nothing.
  const values = FIELDS.filter((f) => f !== 'address' || v.address !== null).map((f) => v[f] ?? null);
  // attributes is the one object among the fields: with no keys there is nothing to sort.
  const plain = Object.keys(v.attributes as object).length === 0;
  return plain ? sortedContentHash(values) : contentHash(values);
}

/**
 * Upserts customers by (store, external_id) with merge semantics: a field left out keeps its stored
 * value, an explicit null clears it. Identical content changes nothing; a version whose `updated_at`
 * is older than the stored one is ignored (a late retry never overwrites newer data). Runs inside
 * the caller's transaction; throws ConcurrentInsert when another writer created one of them first.
 */
export async function upsertCustomers(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  inputs: ReadonlyArray<CustomerInput | CustomerRef>,
  now: Date,
): Promise<Map<string, UpsertResult>> {
  const merged = new Map<string, CustomerInput | CustomerRef>();
  for (const input of inputs) {
    const prev = merged.get(input.external_id);
    merged.set(input.external_id, prev ? { ...prev, ...dropUndefined(input) } : input);
  }
  const results = new Map<string, UpsertResult>();
  if (merged.size === 0) return results;
  // One order for all writers' inserts and locks: concurrent batches wait for each other, never deadlock.
  const sorted = [...merged.keys()].sort();
  const select = (externalIds: string[], lock: boolean) =>
    q.query<CustomerRow>(
      `select id, external_id, email, phone, first_name, last_name, birthday, locale, timezone, tags,
              account_manager, attributes, address, created_at, source_updated_at, content_hash
       from customers where store_id = $1 and external_id = any($2::text[])${lock ? LOCK_IN_ORDER : ''}`,
      [storeId, externalIds],
    );
  // Read without locks, then lock only the rows that change and decide again on their locked version:
  // customers sent again unchanged (most of them in an import) cost no row lock, which is a write.
  const byExt = new Map((await select(sorted, false)).rows.map((r) => [r.external_id, r]));
  const changes = new Map<string, Change | null>();
  for (const row of byExt.values()) changes.set(row.external_id, changeOf(merged.get(row.external_id)!, row));
  const changing = [...changes].filter(([, c]) => c !== null).map(([ext]) => ext);
  if (changing.length > 0) {
    for (const ext of changing) {
      byExt.delete(ext);
      changes.delete(ext);
    }
    for (const row of (await select(changing, true)).rows) {
      byExt.set(row.external_id, row);
      changes.set(row.external_id, changeOf(merged.get(row.external_id)!, row));
    }
  }
  const inserts: unknown[][] = [];
  const insertCreated: unknown[] = [];
  const updates: unknown[][] = [];
  const update = (row: CustomerRow, { v, hash, updatedAt }: Change) =>
    updates.push([storeId, row.id, ...FIELDS.map((f) => v[f]), updatedAt ?? row.source_updated_at, hash]);
  for (const ext of sorted) {
    const input = merged.get(ext)!;
    const row = byExt.get(ext);
    if (!row) {
      const updatedAt = 'updated_at' in input && input.updated_at ? new Date(input.updated_at) : null;
      const v = Object.fromEntries(FIELDS.map((f) => [f, input[f] ?? null])) as Values;
      v.tags = v.tags ?? [];
      v.attributes = v.attributes ?? {};
      v.address = storedAddress(input.address);
      const id = ids('customer');
      inserts.push([storeId, id, ...FIELDS.map((f) => v[f]), updatedAt, hashOf(v), ext]);
      insertCreated.push(input.created_at ? new Date(input.created_at) : now);
      results.set(ext, { id, external_id: ext, status: 'created' });
      continue;
    }
    const change = changes.get(ext);
    if (!change) {
      results.set(ext, { id: row.id, external_id: ext, status: 'unchanged' });
      continue;
    }
    update(row, change);
    results.set(ext, { id: row.id, external_id: ext, status: 'updated' });
  }
  if (inserts.length) {
    const rows = inserts.map((r, i) => [...r, insertCreated[i]]);
    const inserted = await bulkInsert<{ external_id: string }>(
      q,
      'customers',
      [...COLUMNS, { name: 'external_id', type: 'text' }, { name: 'created_at', type: 'timestamptz' }],
      rows,
      'on conflict (store_id, external_id) do nothing returning external_id',
    );
    if (inserted.length !== inserts.length) {
      // Another writer created some of them meanwhile (and committed: the insert waited for it). Merge
      // into its rows, as a retry of the whole batch would, instead of retrying: with several busy
      // writers that retry kept losing races to yet other new customers.
      const created = new Set(inserted.map((r) => r.external_id));
      const raced = inserts.map((r) => r[r.length - 1] as string).filter((ext) => !created.has(ext));
      const theirs = (await select(raced, true)).rows;
      if (theirs.length !== raced.length) throw new ConcurrentInsert();
      for (const row of theirs) {
        const ext = row.external_id;
        const change = changeOf(merged.get(ext)!, row);
        if (change) update(row, change);
        results.set(ext, { id: row.id, external_id: ext, status: change ? 'updated' : 'unchanged' });
      }
    }
  }
  await bulkUpdate(q, 'customers', COLUMNS, updates, 'updated_at = now()');
  const consents: Array<{ customerId: string; consent: ConsentInput }> = [];
  for (const [ext, input] of merged) {
    if ('consents' in input && input.consents) {
      const id = results.get(ext)!.id;
      for (const consent of input.consents) consents.push({ customerId: id, consent });
    }
  }
  if (consents.length) {
    const added = await appendConsents(q, ids, storeId, consents, now);
    // A consent change is a change of the customer, even when its profile fields are unchanged.
    for (const [ext, r] of results) {
      if (r.status === 'unchanged' && added.has(r.id)) results.set(ext, { ...r, status: 'updated' });
    }
  }
  return results;
}

interface Change {
  v: Values;
  hash: string;
  updatedAt: Date | null;
}

/** The merged content `input` gives `row`, or null when that is what it holds already or `input` is older. */
function changeOf(input: CustomerInput | CustomerRef, row: CustomerRow): Change | null {
  const updatedAt = 'updated_at' in input && input.updated_at ? new Date(input.updated_at) : null;
  if (updatedAt && row.source_updated_at && updatedAt < row.source_updated_at) return null;
  const v = Object.fromEntries(FIELDS.map((f) => [f, input[f] === undefined ? row[f] : input[f]])) as Values;
  v.tags = v.tags ?? [];
  v.attributes = v.attributes ?? {};
  v.address = storedAddress(v.address as Address | StoredAddress | null);
  const hash = hashOf(v);
  return hash === row.content_hash ? null : { v, hash, updatedAt };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Appends consent changes to the history. A change that repeats the current state with no new time
 * (a re-sent payload) or an exact duplicate of a recorded row is skipped, so retries add nothing.
 * Returns the customer ids that got a new row.
 */
export async function appendConsents(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  items: ReadonlyArray<{ customerId: string; consent: ConsentInput }>,
  now: Date,
): Promise<Set<string>> {
  const customerIds = [...new Set(items.map((i) => i.customerId))];
  const history = await q.query<{ customer_id: string; channel: string; status: string; occurred_at: Date }>(
    `select customer_id, channel, status, occurred_at from consents
     where store_id = $1 and customer_id = any($2::text[]) order by occurred_at, id`,
    [storeId, customerIds],
  );
  const current = new Map<string, string>();
  const seen = new Set<string>();
  for (const h of history.rows) {
    current.set(`${h.customer_id}|${h.channel}`, h.status);
    seen.add(`${h.customer_id}|${h.channel}|${h.status}|${h.occurred_at.toISOString()}`);
  }
  const rows: unknown[][] = [];
  const changed = new Set<string>();
  for (const { customerId, consent: c } of items) {
    const key = `${customerId}|${c.channel}`;
    const at = c.occurred_at ? new Date(c.occurred_at) : now;
    if (!c.occurred_at && current.get(key) === c.status) continue;
    const exact = `${key}|${c.status}|${at.toISOString()}`;
    if (seen.has(exact)) continue;
    seen.add(exact);
    current.set(key, c.status);
    changed.add(customerId);
    rows.push([
      storeId,
      ids('consent'),
      customerId,
      c.channel,
      c.status,
      c.source ?? null,
      c.text_shown ?? null,
      c.ip ?? null,
      c.user_agent ?? null,
      c.double_opt_in_confirmed_at ?? null,
      at,
    ]);
  }
  await bulkInsert(
    q,
    'consents',
    [
      { name: 'store_id', type: 'text' },
      { name: 'id', type: 'text' },
      { name: 'customer_id', type: 'text' },
      { name: 'channel', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'source', type: 'text' },
      { name: 'text_shown', type: 'text' },
      { name: 'ip', type: 'text' },
      { name: 'user_agent', type: 'text' },
      { name: 'double_opt_in_confirmed_at', type: 'timestamptz' },
      { name: 'occurred_at', type: 'timestamptz' },
    ],
    rows,
  );
  return changed;
}

const PUBLIC_COLUMNS = `id, external_id, email, phone, first_name, last_name, birthday, locale, timezone, tags,
  account_manager, attributes, address, created_at, updated_at`;

export interface Customer {
  id: string;
  external_id: string | null;
  email: string | null;
  [k: string]: unknown;
}

/** Finds a customer by our id (`cus_…`) or the store's external id. */
export async function findCustomer(
  q: Queryable,
  storeId: string,
  idOrExternal: string,
): Promise<Customer | null> {
  const byId = isIdOf('customer', idOrExternal);
  const res = await q.query<Customer>(
    `select ${PUBLIC_COLUMNS} from customers where store_id = $1 and ${byId ? 'id' : 'external_id'} = $2`,
    [storeId, idOrExternal],
  );
  return res.rows[0] ?? null;
}

export async function getCustomer(q: Queryable, storeId: string, idOrExternal: string): Promise<Customer> {
  const c = await findCustomer(q, storeId, idOrExternal);
  if (!c) throw notFound('Customer', idOrExternal);
  return c;
}

export interface CustomerListFilter {
  cursor?: string;
  limit: number;
  updated_since?: string;
  email?: string;
  external_id?: string;
  tag?: string;
  account_manager?: string;
  /** Score filters (from the latest analytics run). */
  segment?: string;
  stage?: string;
  sleeping?: boolean;
  p_alive_min?: number;
  p_alive_max?: number;
  clv_min_minor?: number;
  /** Only customers whose current consent on this channel is granted. */
  consent?: 'email' | 'sms' | 'phone';
}

const LIST_COLUMNS = PUBLIC_COLUMNS.split(',')
  .map((c) => `c.${c.trim()}`)
  .join(', ');

/** Lists customers with their latest scores, filterable by profile, consent and score. */
export async function listCustomers(q: Queryable, storeId: string, f: CustomerListFilter) {
  const w = new SqlFilter([storeId]);
  w.clauses.push('c.store_id = $1');
  if (f.updated_since) w.add('c.updated_at >= ?::timestamptz', f.updated_since);
  if (f.email) w.add('c.email = ?', f.email.trim().toLowerCase());
  if (f.external_id) w.add('c.external_id = ?', f.external_id);
  if (f.tag) w.add('? = any(c.tags)', f.tag);
  if (f.account_manager) w.add('c.account_manager = ?', f.account_manager);
  if (f.segment) w.add('s.rfm_segment = ?', f.segment);
  if (f.stage) w.add('s.lifecycle_stage = ?', f.stage);
  if (f.sleeping !== undefined) w.add('s.sleeping = ?', f.sleeping);
  if (f.p_alive_min !== undefined) w.add('s.p_alive >= ?', f.p_alive_min);
  if (f.p_alive_max !== undefined) w.add('s.p_alive <= ?', f.p_alive_max);
  if (f.clv_min_minor !== undefined) w.add('s.predicted_clv_minor >= ?', f.clv_min_minor);
  if (f.consent) {
    w.add(
      `exists (select 1 from current_consents k where k.store_id = c.store_id and k.customer_id = c.id
         and k.channel = ? and k.status = 'granted')`,
      f.consent,
    );
  }
  w.addCursor(f.cursor, 'c');
  const res = await q.query<Customer & { cursor_ts: string }>(
    `select ${LIST_COLUMNS}, s.rfm_segment, s.lifecycle_stage, s.sleeping, s.p_alive, s.expected_purchases,
       s.predicted_clv_minor, s.orders_count, s.last_order_at, c.updated_at::text as cursor_ts
     from customers c left join customer_scores s on s.store_id = c.store_id and s.customer_id = c.id
     ${w.where()} order by c.updated_at, c.id limit ${w.next()}`,
    [...w.params, f.limit + 1],
  );
  return page(res.rows, f.limit);
}

/** Current consent per channel, derived from the append-only history. */
export async function currentConsents(q: Queryable, storeId: string, customerId: string) {
  const res = await q.query(
    `select channel, status, source, text_shown, double_opt_in_confirmed_at, occurred_at
     from current_consents where store_id = $1 and customer_id = $2 order by channel`,
    [storeId, customerId],
  );
  return res.rows;
}

export async function consentHistory(q: Queryable, storeId: string, customerId: string) {
  const res = await q.query(
    `select id, channel, status, source, text_shown, ip, user_agent, double_opt_in_confirmed_at, occurred_at, recorded_at
     from consents where store_id = $1 and customer_id = $2 order by occurred_at, id`,
    [storeId, customerId],
  );
  return res.rows;
}
