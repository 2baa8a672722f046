import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseOptionsFor, runImport } from '../src/imports/run-import.ts';
import { databaseSink } from '../src/imports/sink.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import type { FileFormat } from '../src/orders/formats/types.ts';
import { systemClock } from '../src/system-clock.ts';
import { describeEachDb } from './db.ts';
import { fixturePath } from './fixtures/import/read-fixture.ts';
import { storeWithKey } from './helpers.ts';

const CDNOW_MASTER = fileURLToPath(new URL('./fixtures/CDNOW_master.txt', import.meta.url));

describeEachDb('file import into the database', (getDb, kind) => {
  let dir: string;
  let storeId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'comeback-import-db-'));
    ({ storeId } = await storeWithKey(getDb(), 'imports'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const importFile = (input: string, store: string, format: FileFormat = 'generic', currency = 'EUR') =>
    runImport({
      input,
      kind: 'orders',
      format,
      parseOptions: parseOptionsFor('en', currency),
      sink: databaseSink({ db: getDb(), ids: createIdGenerator(), clock: systemClock }, store),
      rejectsPath: null,
    });
  const count = async (table: string, store: string, where = 'true') =>
    (
      await getDb().query<{ n: number }>(
        `select count(*)::int as n from ${table} where store_id = $1 and ${where}`,
        [store],
      )
    ).rows[0].n;

  it('imports a generic orders file: what the report counts is what the database holds', async () => {
    const report = await importFile(fixturePath('generic-orders.csv'), storeId);
    expect(report).toMatchObject({
      rowsRead: 11,
      records: 5,
      orders: 4,
      refunds: 1,
      created: 5,
      updated: 0,
      unchanged: 0,
      guestOrders: 1,
      customers: 2,
    });
    expect(await count('orders', storeId)).toBe(4);
    expect(await count('refunds', storeId)).toBe(1);
    expect(await count('customers', storeId)).toBe(2);
    // Order 1001: three lines from rows 2, 3 and 12 (rows of an order need not be adjacent within the window).
    const o1001 = await getDb().query<{ total_minor: number; line_count: number; discount_codes: string[] }>(
      'select total_minor, line_count, discount_codes from orders where store_id = $1 and external_id = $2',
      [storeId, '1001'],
    );
    expect(o1001.rows[0]).toMatchObject({ total_minor: 2990, discount_codes: ['SPRING', 'WELCOME'] });
    const refunded = await getDb().query<{ status: string; refunded_minor: number }>(
      'select status, refunded_minor from orders where store_id = $1 and external_id = $2',
      [storeId, '1005'],
    );
    expect(refunded.rows[0]).toEqual({ status: 'refunded', refunded_minor: 1250 });
    // The rejected orders (a bad date, a quantity of "two") left nothing behind.
    expect(await count('orders', storeId, `external_id in ('1003', '1004')`)).toBe(0);
  });

  it('re-importing the same file creates nothing and changes nothing', async () => {
    const before = await getDb().query(
      'select external_id, updated_at, content_hash from orders where store_id = $1 order by external_id',
      [storeId],
    );
    const report = await importFile(fixturePath('generic-orders.csv'), storeId);
    expect(report).toMatchObject({ records: 5, created: 0, updated: 0, unchanged: 5 });
    const after = await getDb().query(
      'select external_id, updated_at, content_hash from orders where store_id = $1 order by external_id',
      [storeId],
    );
    expect(after.rows).toEqual(before.rows);
    expect(await count('refunds', storeId)).toBe(1);
  });

  it('rejects only the records the database refuses, each with its line: here a refund whose order could not be stored', async () => {
    const { storeId: store } = await storeWithKey(getDb(), 'imports-refund');
    const file = join(dir, 'refund-of-missing-order.csv');
    await writeFile(
      file,
      [
        'order_id,customer_id,placed_at,currency,sku,quantity,unit_price,refunded_amount',
        '3001,C9,2024-05-01,EUR,MUG-1,2,10.00,5.00',
        // Valid cells, but 1,000,000 × 100,000,000.00 is beyond the money range: the database step refuses it.
        '3002,C9,2024-05-02,EUR,MUG-1,1000000,100000000.00,1.00',
        '3003,C8,2024-05-03,EUR,MUG-1,1,10.00,',
      ].join('\n'),
    );
    const report = await importFile(file, store);
    expect(report).toMatchObject({ records: 5, orders: 3, refunds: 2, created: 3, rejected: 2 });
    expect(report.rejections).toEqual([
      expect.objectContaining({ line: 3, column: 'lines', reason: expect.stringContaining('range') }),
      expect.objectContaining({
        line: 3,
        column: 'order_external_id',
        reason: expect.stringContaining('names an order that does not exist'),
      }),
    ]);
    expect(await count('orders', store)).toBe(2);
    expect(await count('refunds', store)).toBe(1);
    const o3001 = await getDb().query<{ status: string; refunded_minor: number }>(
      'select status, refunded_minor from orders where store_id = $1 and external_id = $2',
      [store, '3001'],
    );
    expect(o3001.rows[0]).toEqual({ status: 'partially_refunded', refunded_minor: 500 });
  });

  // 69,659 orders take tens of seconds per database: the embedded one, the default, is the one checked.
  it.runIf(kind === 'pglite')(
    'imports CDNOW master: exactly 69,659 orders for 23,570 customers',
    { timeout: 180_000 },
    async () => {
      const { storeId: store } = await storeWithKey(getDb(), 'cdnow');
      const report = await importFile(CDNOW_MASTER, store, 'cdnow', 'USD');
      expect(report).toMatchObject({ rowsRead: 69_659, orders: 69_659, customers: 23_570, rejected: 0 });
      expect(report.created).toBe(69_659);
      expect(await count('orders', store)).toBe(69_659);
      expect(await count('customers', store)).toBe(23_570);
      expect(await count('order_lines', store)).toBe(69_659);
      const sums = await getDb().query<{ revenue: number; first: Date; last: Date; customers: number }>(
        `select sum(total_minor)::int8 as revenue, min(placed_at) as first, max(placed_at) as last,
         count(distinct customer_id)::int as customers from orders where store_id = $1`,
        [store],
      );
      expect(sums.rows[0]).toMatchObject({
        first: new Date('1997-01-01T00:00:00Z'),
        last: new Date('1998-06-30T00:00:00Z'),
        customers: 23_570,
      });
    },
  );
});
