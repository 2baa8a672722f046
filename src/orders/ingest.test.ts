import { beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../../test/db.ts';
import type { CustomerInput } from '../customers/schemas.ts';
import { databaseSink } from '../imports/sink.ts';
import { contentHash } from '../kernel/hash.ts';
import { createIdGenerator } from '../kernel/ids.ts';
import { createStore } from '../stores/repository.ts';
import { systemClock } from '../system-clock.ts';
import type { ParsedRecord } from './formats/types.ts';
import { type IngestContext, ingest } from './ingest.ts';
import type { OrderInput, RefundInput } from './schemas.ts';

/** Text the bulk path must carry exactly: quotes, backslashes, line breaks, array syntax, "NULL". */
const AWKWARD = [
  'O"Brien \\ {x}',
  'tab\there\nnew line',
  'NULL',
  'a,b}{',
  '\\n not a newline',
  'Zoë ☕ 𝄞',
  '',
];

function order(ext: string, customer: string, lines: number, title = 'Mug'): OrderInput {
  return {
    external_id: ext,
    customer: { external_id: customer, email: `${customer}@example.com` },
    placed_at: '2024-03-01T10:00:00Z',
    currency: 'EUR',
    lines: Array.from({ length: lines }, (_, i) => ({
      sku: `SKU-${i}`,
      title,
      quantity: 1,
      unit_price_minor: 1000 + i,
    })),
  };
}

describeEachDb('ingest', (getDb) => {
  let ctx: IngestContext;
  let storeId: string;
  beforeAll(async () => {
    ctx = { db: getDb(), ids: createIdGenerator(), clock: systemClock };
    storeId = (await createStore(ctx.db, ctx.ids, { slug: 'ingest' })).id;
  });

  it('stores quotes, backslashes, line breaks, braces, "NULL" and emoji exactly; the same batch again is unchanged', async () => {
    const orders = AWKWARD.map((text, i) => ({
      ...order(`awk-${i}`, `awk-c${i}`, 1, text || 'x'),
      source: text,
      discount_codes: [text || 'x', 'B"2'],
      customer: { external_id: `awk-c${i}`, first_name: text, last_name: null, tags: [text || 'x'] },
    }));
    const first = await ingest(ctx, storeId, 'orders', orders);
    expect(first.created).toBe(AWKWARD.length);
    const stored = await ctx.db.query<{
      source: string;
      discount_codes: string[];
      title: string;
      first_name: string;
    }>(
      `select o.source, o.discount_codes, l.title, c.first_name from orders o
       join order_lines l on l.store_id = o.store_id and l.order_id = o.id
       join customers c on c.store_id = o.store_id and c.id = o.customer_id
       where o.store_id = $1 and o.external_id like 'awk-%' order by o.external_id`,
      [storeId],
    );
    expect(stored.rows.map((r) => r.source)).toEqual(AWKWARD);
    expect(stored.rows.map((r) => r.first_name)).toEqual(AWKWARD);
    expect(stored.rows.map((r) => r.title)).toEqual(AWKWARD.map((t) => t || 'x'));
    expect(stored.rows.map((r) => r.discount_codes)).toEqual(AWKWARD.map((t) => [t || 'x', 'B"2']));
    const again = await ingest(ctx, storeId, 'orders', orders);
    expect([again.created, again.updated, again.unchanged]).toEqual([0, 0, AWKWARD.length]);
  });

  it('keeps content hashes equal to contentHash of the canonical content, as earlier versions stored them', async () => {
    const o: OrderInput = {
      ...order('hash-1', 'hash-c1', 2),
      source: 'web',
      discount_codes: ['SPRING'],
      shipping_minor: 490,
    };
    const customer: CustomerInput = {
      external_id: 'hash-c2',
      email: 'h@example.com',
      first_name: 'Ha',
      tags: ['vip'],
      attributes: { z: 1, a: { y: 2, b: 3 } },
    };
    await ingest(ctx, storeId, 'orders', [o]);
    await ingest(ctx, storeId, 'customers', [customer]);
    const rows = await ctx.db.query<{ external_id: string; content_hash: string; customer_id: string }>(
      `select external_id, content_hash, customer_id from orders where store_id = $1 and external_id = 'hash-1'
       union all select external_id, content_hash, null from customers where store_id = $1 and external_id in ('hash-c1', 'hash-c2')
       order by external_id`,
      [storeId],
    );
    const [stored, c1, c2] = rows.rows;
    expect(stored.content_hash).toBe(
      contentHash({
        customerId: stored.customer_id,
        placed_at: '2024-03-01T10:00:00.000Z',
        currency: 'EUR',
        a: { subtotal: 2001, discount: 0, shipping: 490, tax: 0, total: 2491 },
        status: 'paid',
        source: 'web',
        codes: ['SPRING'],
        lines: [
          ['SKU-0', null, 'Mug', 1, 1000, 0],
          ['SKU-1', null, 'Mug', 1, 1001, 0],
        ],
      }),
    );
    const fields = (c: Partial<CustomerInput>) => [
      c.email ?? null,
      c.phone ?? null,
      c.first_name ?? null,
      c.last_name ?? null,
      c.birthday ?? null,
      c.locale ?? null,
      c.timezone ?? null,
      c.tags ?? [],
      c.account_manager ?? null,
      c.attributes ?? {},
    ];
    expect(c1.content_hash).toBe(contentHash(fields({ email: 'hash-c1@example.com' })));
    expect(c2.content_hash).toBe(contentHash(fields(customer)));
  });

  it('upserts a batch of refunds: creates them, then updates the changed one, replacing its lines', async () => {
    await ingest(ctx, storeId, 'orders', [order('ref-1', 'ref-c', 2), order('ref-2', 'ref-c', 1)]);
    const refund = (
      ext: string,
      orderExt: string,
      amount: number,
      lines: RefundInput['lines'],
    ): RefundInput => ({
      external_id: ext,
      order_external_id: orderExt,
      refunded_at: '2024-03-05T10:00:00Z',
      currency: 'EUR',
      amount_minor: amount,
      lines,
    });
    const first = await ingest(ctx, storeId, 'refunds', [
      refund('r-1', 'ref-1', 1000, [{ line_no: 1, sku: 'SKU-0', quantity: 1, amount_minor: 1000 }]),
      refund('r-2', 'ref-2', 500, null),
    ]);
    expect(first.results.map((r) => r.status)).toEqual(['created', 'created']);
    const second = await ingest(ctx, storeId, 'refunds', [
      refund('r-1', 'ref-1', 2001, [
        { line_no: 1, sku: 'SKU-0', quantity: 1, amount_minor: 1000 },
        { line_no: 2, sku: 'SKU-1', quantity: 1, amount_minor: 1001 },
      ]),
      refund('r-2', 'ref-2', 500, null),
    ]);
    expect(second.results.map((r) => r.status)).toEqual(['updated', 'unchanged']);
    expect(second.results[0].id).toBe(first.results[0].id);
    const lines = await ctx.db.query<{ line_no: number; amount_minor: number }>(
      'select line_no, amount_minor from refund_lines where store_id = $1 and refund_id = $2 order by line_no',
      [storeId, first.results[0].id],
    );
    expect(lines.rows).toEqual([
      { line_no: 1, amount_minor: 1000 },
      { line_no: 2, amount_minor: 1001 },
    ]);
    const orders = await ctx.db.query<{ external_id: string; refunded_minor: number; status: string }>(
      `select external_id, refunded_minor, status from orders where store_id = $1 and external_id in ('ref-1', 'ref-2')
       order by external_id`,
      [storeId],
    );
    expect(orders.rows).toEqual([
      { external_id: 'ref-1', refunded_minor: 2001, status: 'refunded' },
      { external_id: 'ref-2', refunded_minor: 500, status: 'partially_refunded' },
    ]);
  });

  it('in one batch leaves unchanged and older records alone and merges the changed ones', async () => {
    const base = (ext: string, extra: Partial<CustomerInput> = {}): CustomerInput => ({
      external_id: ext,
      email: `${ext}@example.com`,
      first_name: 'First',
      phone: '+49 1',
      updated_at: '2024-01-01T00:00:00Z',
      ...extra,
    });
    await ingest(ctx, storeId, 'customers', [base('mix-a'), base('mix-b'), base('mix-c')]);
    const out = await ingest(ctx, storeId, 'customers', [
      base('mix-a'),
      { external_id: 'mix-b', first_name: 'Changed', phone: null, updated_at: '2024-02-01T00:00:00Z' },
      base('mix-c', { first_name: 'Older', updated_at: '2023-12-01T00:00:00Z' }),
      base('mix-d'),
    ]);
    expect(out.results.map((r) => r.status)).toEqual(['unchanged', 'updated', 'unchanged', 'created']);
    const rows = await ctx.db.query<{
      external_id: string;
      email: string;
      first_name: string;
      phone: string | null;
    }>(
      `select external_id, email, first_name, phone from customers where store_id = $1 and external_id like 'mix-%'
       order by external_id`,
      [storeId],
    );
    expect(rows.rows).toEqual([
      { external_id: 'mix-a', email: 'mix-a@example.com', first_name: 'First', phone: '+49 1' },
      { external_id: 'mix-b', email: 'mix-b@example.com', first_name: 'Changed', phone: null },
      { external_id: 'mix-c', email: 'mix-c@example.com', first_name: 'First', phone: '+49 1' },
      { external_id: 'mix-d', email: 'mix-d@example.com', first_name: 'First', phone: '+49 1' },
    ]);

    await ingest(ctx, storeId, 'orders', [order('mix-o1', 'mix-a', 2), order('mix-o2', 'mix-a', 2)]);
    const again = await ingest(ctx, storeId, 'orders', [
      order('mix-o1', 'mix-a', 2),
      order('mix-o2', 'mix-a', 3),
      order('mix-o3', 'mix-a', 1),
    ]);
    expect(again.results.map((r) => r.status)).toEqual(['unchanged', 'updated', 'created']);
    const lines = await ctx.db.query<{ external_id: string; n: number }>(
      `select o.external_id, count(l.*)::int as n from orders o join order_lines l on l.store_id = o.store_id and l.order_id = o.id
       where o.store_id = $1 and o.external_id like 'mix-o%' group by o.external_id order by o.external_id`,
      [storeId],
    );
    expect(lines.rows).toEqual([
      { external_id: 'mix-o1', n: 2 },
      { external_id: 'mix-o2', n: 3 },
      { external_id: 'mix-o3', n: 1 },
    ]);
  });

  it('concurrent batches sharing new customers in different orders all succeed, each customer stored once', async () => {
    // Batches meet the customers in different orders: writers that inserted in input order deadlocked.
    let seed = 7;
    const customer = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return `conc-c${seed % 3000}`;
    };
    const batches = Array.from({ length: 4 }, (_, b) =>
      Array.from({ length: 1000 }, (_, i) => order(`conc-${b}-${i}`, customer(), 1)),
    );
    const outcomes = await Promise.all(batches.map((batch) => ingest(ctx, storeId, 'orders', batch)));
    expect(outcomes.map((o) => o.created)).toEqual(batches.map(() => 1000));
    const distinct = new Set(batches.flat().map((o) => o.customer!.external_id)).size;
    const count = await ctx.db.query<{ n: number }>(
      "select count(*)::int as n from customers where store_id = $1 and external_id like 'conc-c%'",
      [storeId],
    );
    expect(count.rows[0].n).toBe(distinct);
  });

  it('import sink: refunds of unknown orders are rejected with their lines, the rest of the batch is written', async () => {
    let calls = 0;
    const counting: IngestContext = {
      ...ctx,
      db: {
        ...ctx.db,
        tx: (fn) => {
          calls++;
          return ctx.db.tx(fn);
        },
      },
    };
    const sink = databaseSink(counting, storeId);
    const records: ParsedRecord[] = [
      { type: 'order', line: 2, value: order('sink-1', 'sink-c', 1) },
      { type: 'order', line: 3, value: order('sink-2', 'sink-c', 1) },
      ...['sink-1', 'nope-1', 'sink-2', 'nope-2'].map(
        (o, i): ParsedRecord => ({
          type: 'refund',
          line: 10 + i,
          value: {
            external_id: `sink-r${i}`,
            order_external_id: o,
            refunded_at: '2024-03-05T10:00:00Z',
            currency: 'EUR',
            amount_minor: 100,
          },
        }),
      ),
    ];
    const result = await sink(records);
    expect(result.created).toBe(4);
    expect(result.rejected.map((r) => [r.line, r.column])).toEqual([
      [11, 'order_external_id'],
      [13, 'order_external_id'],
    ]);
    // orders once; refunds three times (two refused records dropped in turn), not once per record
    expect(calls).toBe(4);
  });

  it('refreshes planner statistics once a table has grown by 1,000 rows', async () => {
    const big = Array.from({ length: 300 }, (_, i) => order(`grow-${i}`, `grow-c${i % 50}`, 4));
    await ingest(ctx, storeId, 'orders', big);
    const stats = await ctx.db.query<{ reltuples: number }>(
      "select reltuples::float8 as reltuples from pg_class where relname = 'order_lines'",
    );
    expect(stats.rows[0].reltuples).toBeGreaterThanOrEqual(1200);
  });
});
