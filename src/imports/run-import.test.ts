import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, fixtureStream } from '../../test/fixtures/import/read-fixture.ts';
import type { ParsedRecord } from '../orders/formats/types.ts';
import { formatImportReport } from './progress.ts';
import {
  defaultRejectsPath,
  type ImportProgress,
  parseOptionsFor,
  runImport,
  type SinkResult,
} from './run-import.ts';

/** An in-memory store upserting by type and external id, like the database ingestion. */
function memorySink() {
  const rows = new Map<string, string>();
  const calls: number[] = [];
  const sink = async (records: ParsedRecord[]): Promise<SinkResult> => {
    calls.push(records.length);
    const result: SinkResult = { created: 0, updated: 0, unchanged: 0, rejected: [] };
    for (const r of records) {
      const key = `${r.type}:${r.value.external_id}`;
      const json = JSON.stringify(r.value);
      const before = rows.get(key);
      if (before === undefined) result.created++;
      else if (before === json) result.unchanged++;
      else result.updated++;
      rows.set(key, json);
    }
    return result;
  };
  return { sink, rows, calls };
}

let dir: string;
let ordersPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'comeback-import-'));
  ordersPath = join(dir, 'orders.csv');
  await copyFile(fixturePath('generic-orders.csv'), ordersPath);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const en = parseOptionsFor('en', 'eur');

describe('runImport', () => {
  it('imports a file through the sink, counts everything and writes the rejections next to it', async () => {
    const store = memorySink();
    const progress: ImportProgress[] = [];
    let t = 1000;
    const report = await runImport({
      input: ordersPath,
      kind: 'orders',
      format: 'generic',
      parseOptions: en,
      sink: store.sink,
      onProgress: (p) => progress.push(p),
      batchSize: 2,
      now: () => (t += 250),
    });
    expect({ ...report, rejections: report.rejections.length }).toEqual({
      kind: 'orders',
      format: 'generic',
      dryRun: false,
      rowsRead: 11,
      records: 5,
      created: 5,
      updated: 0,
      unchanged: 0,
      rejected: 5,
      guestOrders: 1,
      customers: 2,
      orders: 4,
      refunds: 1,
      products: 0,
      durationMs: 250,
      rejectsPath: join(dir, 'orders.rejects.csv'),
      rejections: 5,
    });
    expect([...store.rows.keys()]).toEqual([
      'order:1001',
      'order:1002',
      'order:1005',
      'refund:1005:refund',
      'order:1006',
    ]);
    expect(store.calls.every((n) => n <= 2)).toBe(true);
    expect(progress.at(-1)).toEqual({
      rowsRead: 11,
      bytesRead: 923,
      totalBytes: 923,
      records: 5,
      rejected: 5,
    });

    const rejects = (await readFile(join(dir, 'orders.rejects.csv'), 'utf8')).split('\n');
    expect(rejects[0]).toBe(
      'line,column,reason,order_id,customer_id,email,first_name,last_name,placed_at,currency,sku,title,quantity,unit_price,discount,shipping,tax,total,status,discount_codes,refunded_amount',
    );
    expect(rejects.slice(1, 4)).toEqual([
      '10,,duplicate of line 9 (identical row in order 1005); kept once,1005,,Cy@Example.com,,,2024-03-05 09:30,eur,MUG-1,Mug,1,12.50,,,,12.50,Refunded,,12.50',
      '6,placed_at,"""2024-13-01"" is not a valid date",1003,C2,bo@example.com,Bo,,2024-13-01,EUR,MUG-1,Mug,1,12.50,,,,,paid,,',
      '7,,order 1003 not imported because of the error on line 6,1003,C2,,,,,,TEA-1,Tea,1,5.00,,,,,,,',
    ]);
    expect(rejects.filter((l) => l !== '').length).toBe(6);
  });

  it('creates no duplicates when the same file is imported again', async () => {
    const store = memorySink();
    const run = () =>
      runImport({ input: ordersPath, kind: 'orders', format: 'generic', parseOptions: en, sink: store.sink });
    const first = await run();
    const second = await run();
    expect([first.created, first.unchanged]).toEqual([5, 0]);
    expect([second.created, second.updated, second.unchanged]).toEqual([0, 0, 5]);
    expect(store.rows.size).toBe(5);
  });

  it('in a dry run validates everything, calls no sink and reports "would import"', async () => {
    const store = memorySink();
    const report = await runImport({
      input: fixtureStream('online-retail.csv'),
      kind: 'orders',
      format: 'online-retail',
      parseOptions: parseOptionsFor('en', 'GBP'),
      sink: store.sink,
      dryRun: true,
    });
    expect(store.calls).toEqual([]);
    expect(report).toMatchObject({
      dryRun: true,
      records: 5,
      created: 0,
      customers: 4,
      orders: 4,
      refunds: 1,
    });
    expect(report.rejectsPath).toBeNull();
    const text = formatImportReport(report);
    expect(text).toMatch(/created[^0-9]*0\b/);
    expect(text).toContain('would import            5');
    expect(text).toContain('customers               4');
  });

  it('adds the rejections the sink reports, and writes no file when asked not to', async () => {
    const report = await runImport({
      input: ordersPath,
      kind: 'orders',
      format: 'generic',
      parseOptions: en,
      rejectsPath: null,
      sink: async (records) => ({
        created: records.length - 1,
        updated: 0,
        unchanged: 0,
        rejected: [
          { line: records[0].line, column: null, reason: 'conflicts with an existing order', raw: null },
        ],
      }),
    });
    expect([report.rejected, report.rejectsPath]).toEqual([6, null]);
    expect(report.rejections.map((r) => r.reason)).toContain('conflicts with an existing order');
  });

  it('streams: the first batch reaches the sink long before the input is read, and memory does not follow the file', async () => {
    const total = 60_000;
    let produced = 0;
    async function* big() {
      yield 'order_id,customer_id,placed_at,sku,quantity,unit_price\n';
      for (let i = 0; i < total; i++) {
        produced++;
        yield `${i},c${i % 997},2024-01-01,SKU,1,1.00\n`;
      }
    }
    let producedAtFirstCall = -1;
    const report = await runImport({
      input: big(),
      kind: 'orders',
      format: 'generic',
      parseOptions: en,
      sink: async (records) => {
        if (producedAtFirstCall < 0) producedAtFirstCall = produced;
        return { created: records.length, updated: 0, unchanged: 0, rejected: [] };
      },
    });
    expect(report).toMatchObject({ rowsRead: total, records: total, created: total, customers: 997 });
    expect(producedAtFirstCall).toBeGreaterThan(0);
    expect(producedAtFirstCall).toBeLessThan(total / 5); // one batch of 5,000 and the read-ahead
  });

  it('parses the next batch while the sink writes one, never more than one batch ahead', async () => {
    const total = 10_000;
    let produced = 0;
    async function* rows() {
      yield 'order_id,customer_id,placed_at,sku,quantity,unit_price\n';
      for (let i = 0; i < total; i++) {
        produced++;
        yield `${i},c${i},2024-01-01,SKU,1,1.00\n`;
      }
    }
    const during: Array<{ atStart: number; atEnd: number }> = [];
    const report = await runImport({
      input: rows(),
      kind: 'orders',
      format: 'generic',
      parseOptions: en,
      batchSize: 1000,
      sink: async (records) => {
        const atStart = produced;
        await new Promise((resolve) => setTimeout(resolve, 20));
        during.push({ atStart, atEnd: produced });
        return { created: records.length, updated: 0, unchanged: 0, rejected: [] };
      },
    });
    expect(report).toMatchObject({ rowsRead: total, records: total, created: total });
    expect(during).toHaveLength(10);
    // While batch k was written, batch k + 1 was read, and nothing beyond it (plus the stream's read-ahead).
    expect(during[0].atEnd).toBeGreaterThan(during[0].atStart + 500);
    for (const [k, d] of during.entries()) expect(d.atEnd).toBeLessThanOrEqual((k + 2) * 1000 + 1000);
  });

  it('reports a read error that happens while the sink is busy, after the batches before it', async () => {
    async function* failing() {
      yield 'order_id,customer_id,placed_at,sku,quantity,unit_price\n';
      for (let i = 0; i < 5000; i++) yield `${i},c${i},2024-01-01,SKU,1,1.00\n`;
      throw new Error('disk gone');
    }
    const written: number[] = [];
    await expect(
      runImport({
        input: failing(),
        kind: 'orders',
        format: 'generic',
        parseOptions: en,
        batchSize: 1000,
        sink: async (records) => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          written.push(records.length);
          return { created: records.length, updated: 0, unchanged: 0, rejected: [] };
        },
      }),
    ).rejects.toThrow('disk gone');
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written.every((n) => n === 1000)).toBe(true);
  });

  it('fails clearly on a missing file or a file of the wrong format', async () => {
    const { sink } = memorySink();
    const base = { kind: 'orders' as const, parseOptions: en, sink };
    await expect(runImport({ ...base, format: 'generic', input: join(dir, 'nope.csv') })).rejects.toThrow(
      /^cannot read .*nope\.csv/,
    );
    await expect(runImport({ ...base, format: 'shopify', input: ordersPath })).rejects.toThrow(
      'the file is missing columns Name, Created at, Lineitem quantity, Lineitem price for the shopify format. This looks like a generic file: try --format generic.',
    );
  });

  it('puts the rejects file next to the input', () => {
    expect(defaultRejectsPath('/data/exports/orders.csv')).toBe('/data/exports/orders.rejects.csv');
    expect(defaultRejectsPath('orders')).toBe('orders.rejects.csv');
  });
});
