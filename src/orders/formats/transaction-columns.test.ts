import { describe, expect, it } from 'vitest';
import { fixtureStream } from '../../../test/fixtures/import/read-fixture.ts';
import { parseOrderFile } from './parse-order-file.ts';
import { orderAmountMinor, transactionsFromBatches } from './transaction-columns.ts';
import type { ParsedBatch } from './types.ts';

describe('transactionsFromBatches', () => {
  it('makes one entry per order and per refund (negative), customers as dense indexes, guests counted', async () => {
    const batches = parseOrderFile(fixtureStream('generic-orders.csv'), 'generic', {
      decimalComma: false,
      defaultCurrency: 'EUR',
    });
    const t = await transactionsFromBatches(batches);
    expect({
      customerIds: t.customerIds,
      customerIndex: [...t.customerIndex],
      time: [...t.timeMs].map((ms) => new Date(ms).toISOString().slice(0, 10)),
      amountMinor: [...t.amountMinor],
      length: t.length,
      currency: t.currency,
      rowsRead: t.rowsRead,
      guestOrders: t.guestOrders,
      guestRefunds: t.guestRefunds,
      rejects: t.rejects.length,
    }).toEqual({
      customerIds: ['C1', 'cy@example.com'],
      customerIndex: [0, 1, 1, 0],
      time: ['2024-03-01', '2024-03-05', '2024-03-05', '2024-03-06'],
      // 1006 has no total: 1 × 3.00 from its lines
      amountMinor: [2990, 1250, -1250, 300],
      length: 4,
      currency: 'EUR',
      rowsRead: 11,
      guestOrders: 1,
      guestRefunds: 0,
      rejects: 5,
    });
    expect(t.rejects.every((r) => r.raw === null)).toBe(true);
  });

  it('leaves out records in a second currency as rejections', async () => {
    const order = (id: string, currency: string) => ({
      type: 'order' as const,
      line: 2,
      value: {
        external_id: id,
        customer: { external_id: 'c' },
        placed_at: '2024-01-01T00:00:00.000Z',
        currency,
        lines: [{ sku: 's', quantity: 1, unit_price_minor: 100 }],
      },
    });
    async function* batches(): AsyncGenerator<ParsedBatch> {
      yield {
        records: [order('a', 'EUR'), order('b', 'USD')],
        rejects: [],
        rowsRead: 2,
        guestOrders: 0,
        bytesRead: 9,
      };
    }
    const t = await transactionsFromBatches(batches());
    expect([t.length, t.currency, t.rejects.map((r) => r.reason)]).toEqual([
      1,
      'EUR',
      ["currency USD differs from the file's EUR; left out of the analysis"],
    ]);
  });

  it('orderAmountMinor defaults to lines − discount + shipping + tax without a total', () => {
    const lines = [
      { quantity: 2, unit_price_minor: 500 },
      { quantity: 1, unit_price_minor: 250 },
    ];
    const base = { external_id: 'x', placed_at: '2024-01-01T00:00:00Z', currency: 'EUR', lines };
    expect(orderAmountMinor({ ...base, discount_minor: 100, shipping_minor: 490, tax_minor: 10 })).toBe(1650);
    expect(orderAmountMinor({ ...base, total_minor: 42 })).toBe(42);
  });
});
