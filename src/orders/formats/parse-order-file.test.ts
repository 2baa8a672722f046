import { describe, expect, it } from 'vitest';
import { collectFixture, fixtureStream } from '../../../test/fixtures/import/read-fixture.ts';
import { parseOrderFile, parseRecordFile } from './parse-order-file.ts';
import type { ParsedBatch } from './types.ts';

const gbp = { decimalComma: false, defaultCurrency: 'GBP' };

async function batchesOf(iterable: AsyncIterable<ParsedBatch>): Promise<ParsedBatch[]> {
  const out: ParsedBatch[] = [];
  for await (const b of iterable) out.push(b);
  return out;
}

describe('parseOrderFile', () => {
  it('packs records into batches of at most batchSize with growing row and byte counters', async () => {
    const batches = await batchesOf(
      parseOrderFile(fixtureStream('online-retail.csv', 16), 'online-retail', gbp, 2),
    );
    // a batch is cut at 2 records or 2 rejections, whichever comes first
    expect(batches.map((b) => [b.records.length, b.rejects.length])).toEqual([
      [2, 1],
      [1, 2],
      [1, 2],
      [1, 0],
    ]);
    const rows = batches.map((b) => b.rowsRead);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(batches.at(-1)).toMatchObject({ rowsRead: 13, bytesRead: 1139 });
    expect(batches.reduce((n, b) => n + b.guestOrders, 0)).toBe(1);
    const whole = await collectFixture('online-retail.csv', 'orders', 'online-retail', gbp);
    expect(batches.flatMap((b) => b.records)).toEqual(whole.records);
  });

  it('reads from any async iterable of strings, such as an HTTP body', async () => {
    async function* body() {
      yield 'order_id,placed_at,sku,quantity,unit_price\n';
      yield 'A,2024-01-01,X,1,9.99\n';
    }
    const batches = await batchesOf(parseOrderFile(body(), 'generic', gbp));
    expect(
      batches.flatMap((b) => b.records).map((r) => r.type === 'order' && r.value.lines[0].unit_price_minor),
    ).toEqual([999]);
  });
});

describe('parseRecordFile', () => {
  it('hands cdnow files to the CDNOW reader', async () => {
    async function* cdnow() {
      yield '00001 19970101 1 11.77\n00002 19970112 2 20.00\n';
    }
    const batches = await batchesOf(
      parseRecordFile(cdnow(), 'orders', 'cdnow', { decimalComma: false, defaultCurrency: 'USD' }),
    );
    const orders = batches
      .flatMap((b) => b.records)
      .map((r) => (r.type === 'order' ? [r.value.customer?.external_id, r.value.total_minor] : null));
    expect(orders).toEqual([
      ['00001', 1177],
      ['00002', 2000],
    ]);
  });

  it('refuses kinds a format does not have, naming the formats that do', async () => {
    await expect(
      batchesOf(parseRecordFile(fixtureStream('shopify-orders.csv'), 'products', 'shopify', gbp)),
    ).rejects.toThrow('products cannot be imported from the shopify format (use generic)');
    await expect(
      batchesOf(parseRecordFile(fixtureStream('shopify-orders.csv'), 'customers', 'cdnow', gbp)),
    ).rejects.toThrow('the cdnow format has no customers');
  });
});
