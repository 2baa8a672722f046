import { describe, expect, it } from 'vitest';
import { collectFixture } from '../../../test/fixtures/import/read-fixture.ts';
import { openCsv } from './csv.ts';
import { parseGenericOrders } from './generic.ts';
import { parseOrderFile } from './parse-order-file.ts';

const en = { decimalComma: false, defaultCurrency: 'EUR' };
const de = { decimalComma: true, defaultCurrency: 'EUR' };

const noLineExtras = { product_external_id: null, discount_minor: null };
const noOrderExtras = { source: null, discount_minor: null, tax_minor: null, updated_at: null };

describe('generic orders (BOM, CRLF, quoted newline, guest, bad date, bad quantity, duplicate)', () => {
  it('yields each valid order once, with its lines, customer and refund', async () => {
    const got = await collectFixture('generic-orders.csv', 'orders', 'generic', en);
    expect(got.records).toEqual([
      {
        type: 'order',
        line: 2,
        value: {
          ...noOrderExtras,
          external_id: '1001',
          customer: {
            external_id: 'C1',
            email: 'ada@example.com',
            phone: null,
            first_name: 'Ada',
            last_name: 'Lovelace',
          },
          placed_at: '2024-03-01T09:00:00.000Z',
          currency: 'EUR',
          status: 'paid',
          lines: [
            { ...noLineExtras, sku: 'MUG-1', title: 'Mug', quantity: 2, unit_price_minor: 1250 },
            {
              ...noLineExtras,
              sku: 'TEA-1',
              title: 'Tea, "Earl Grey"\r\nloose leaf',
              quantity: 1,
              unit_price_minor: 0,
            },
            // line 13: a late row of 1001, within the window of open orders, joins it
            { ...noLineExtras, sku: 'SPOON-1', title: 'Spoon', quantity: 1, unit_price_minor: 100000 },
          ],
          shipping_minor: 490,
          total_minor: 2990,
          discount_codes: ['SPRING', 'WELCOME'],
        },
      },
      {
        type: 'order',
        line: 5,
        value: {
          ...noOrderExtras,
          external_id: '1002',
          customer: null,
          placed_at: '2024-03-02T00:00:00.000Z',
          currency: 'EUR',
          status: 'paid',
          lines: [{ ...noLineExtras, sku: 'MUG-1', title: 'Mug', quantity: 1, unit_price_minor: 1250 }],
          shipping_minor: null,
          total_minor: 1250,
          discount_codes: null,
        },
      },
      {
        type: 'order',
        line: 9,
        value: {
          ...noOrderExtras,
          external_id: '1005',
          customer: {
            external_id: 'cy@example.com',
            email: 'cy@example.com',
            phone: null,
            first_name: null,
            last_name: null,
          },
          placed_at: '2024-03-05T09:30:00.000Z',
          currency: 'EUR',
          status: 'refunded',
          lines: [{ ...noLineExtras, sku: 'MUG-1', title: 'Mug', quantity: 1, unit_price_minor: 1250 }],
          shipping_minor: null,
          total_minor: 1250,
          discount_codes: null,
        },
      },
      {
        type: 'refund',
        line: 9,
        value: {
          external_id: '1005:refund',
          order_external_id: '1005',
          customer: {
            external_id: 'cy@example.com',
            email: 'cy@example.com',
            phone: null,
            first_name: null,
            last_name: null,
          },
          refunded_at: '2024-03-05T09:30:00.000Z',
          currency: 'EUR',
          amount_minor: 1250,
          reason: 'refunded_amount in the orders file',
        },
      },
      {
        type: 'order',
        line: 11,
        value: {
          ...noOrderExtras,
          external_id: '1006',
          customer: { external_id: 'C1', email: null, phone: null, first_name: null, last_name: null },
          placed_at: '2024-03-06T00:00:00.000Z',
          currency: 'EUR',
          status: 'fulfilled',
          lines: [{ ...noLineExtras, sku: 'SOCK-2', title: 'Socks', quantity: 1, unit_price_minor: 300 }],
          shipping_minor: null,
          total_minor: null,
          discount_codes: null,
        },
      },
    ]);
  });

  it('rejects with physical line, column and reason; a bad order is rejected whole', async () => {
    const got = await collectFixture('generic-orders.csv', 'orders', 'generic', en);
    expect(got.rejects).toEqual([
      { line: 6, column: 'placed_at', reason: '"2024-13-01" is not a valid date' },
      { line: 7, column: null, reason: 'order 1003 not imported because of the error on line 6' },
      { line: 8, column: 'quantity', reason: '"two" is not a whole number' },
      { line: 10, column: null, reason: 'duplicate of line 9 (identical row in order 1005); kept once' },
      { line: 11, column: 'quantity', reason: 'quantity 0: not a sale, row left out' },
    ]);
    expect(got.raws.find((r) => r && !Array.isArray(r) && r.order_id === '1004')).toMatchObject({
      order_id: '1004',
      quantity: 'two',
    });
    expect({ rowsRead: got.rowsRead, guestOrders: got.guestOrders }).toEqual({
      rowsRead: 11,
      guestOrders: 1,
    });
  });

  it('reads a ; file with decimal commas and dotted dates under --locale de, and refuses en numbers in it', async () => {
    const got = await collectFixture('generic-orders-de.csv', 'orders', 'generic', de);
    expect(got.records).toEqual([
      {
        type: 'order',
        line: 2,
        value: {
          ...noOrderExtras,
          external_id: 'A-1',
          customer: {
            external_id: 'K-7',
            email: 'kai@example.de',
            phone: null,
            first_name: null,
            last_name: null,
          },
          placed_at: '2024-03-01T14:05:00.000Z',
          currency: 'EUR',
          status: null,
          lines: [
            { ...noLineExtras, sku: 'KAFFEE', title: 'Kaffee 1 kg', quantity: 2, unit_price_minor: 123450 },
          ],
          shipping_minor: 490,
          total_minor: 247390,
          discount_codes: null,
        },
      },
    ]);
    expect(got.rejects).toEqual([
      {
        line: 3,
        column: 'Unit Price',
        reason: '"12.50" does not fit the locale de (1.234,50); is --locale right?',
      },
    ]);
  });

  it('rejects an order of more than 1,000 lines whole, and imports the next one', async () => {
    async function* body() {
      yield 'order_id,placed_at,sku,quantity,unit_price\n';
      for (let i = 0; i < 1001; i++) yield `A,2024-01-01,S${i},1,1.00\n`;
      yield 'B,2024-01-01,X,1,1.00\n';
    }
    const records = [];
    const rejects = [];
    for await (const b of parseOrderFile(body(), 'generic', en)) {
      records.push(...b.records);
      rejects.push(...b.rejects);
    }
    expect(records.map((r) => r.value.external_id)).toEqual(['B']);
    expect(rejects.length).toBe(1001);
    expect(rejects[0]).toMatchObject({
      line: 2,
      column: null,
      reason: 'lines: has 1001 entries; at most 1000 are allowed',
    });
    expect(rejects[1]).toMatchObject({
      line: 3,
      reason: 'order A not imported because of the error on line 2',
    });
  });

  it('fails before reading rows when a required column is missing, and suggests the format it looks like', async () => {
    async function* shopify() {
      yield 'Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem price\n#1,a@b.c,paid,2024-01-01,1,2\n';
    }
    const csv = await openCsv(shopify());
    const run = async () => {
      for await (const _ of parseGenericOrders(csv, en)) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow(
      'the file is missing columns order_id, placed_at, quantity, unit_price for the generic format. This looks like a shopify file: try --format shopify.',
    );
    await csv.close();
  });
});

describe('generic customers and products', () => {
  it('keeps a city column without a street column as an attribute, and reads no address', async () => {
    const got = await collectFixture('generic-customers-city.csv', 'customers', 'generic', en);
    expect(got.records.map((r) => r.value)).toEqual([
      expect.objectContaining({ external_id: 'B1', attributes: { city: 'Berlin' }, address: undefined }),
    ]);
  });

  it('reads a postal address from street, zip, city and country (code or name) columns; an empty street clears it', async () => {
    const got = await collectFixture('generic-customers-address.csv', 'customers', 'generic', en);
    expect(got.records.map((r) => [r.line, (r.value as { address?: unknown }).address])).toEqual([
      [
        2,
        {
          line1: 'Lindenstraße 12',
          line2: null,
          postal_code: '10115',
          city: 'Berlin',
          region: null,
          country: 'DE',
        },
      ],
      [3, null],
      // A country's name (in English, German, French …) reads as its code.
      [5, expect.objectContaining({ city: 'Paris', country: 'FR' })],
      [6, expect.objectContaining({ city: 'Wien', country: 'AT' })],
    ]);
    expect(got.rejects).toEqual([
      expect.objectContaining({
        line: 4,
        column: 'country',
        reason: expect.stringMatching(/ISO 3166-1 alpha-2/),
      }),
    ]);
  });

  it('reads customers: id or e-mail, consents from yes/no, tags, other columns as attributes', async () => {
    const got = await collectFixture('generic-customers.csv', 'customers', 'generic', en);
    const none = { locale: null, timezone: null, account_manager: null, updated_at: null, phone: null };
    expect(got.records).toEqual([
      {
        type: 'customer',
        line: 2,
        value: {
          ...none,
          external_id: 'C1',
          email: 'ada@example.com',
          first_name: 'Ada',
          last_name: 'Lovelace',
          birthday: '1985-12-10',
          tags: ['vip', 'wholesale'],
          attributes: { loyalty_card: 'LC-1' },
          created_at: '2020-01-01T00:00:00.000Z',
          consents: [
            { channel: 'email', status: 'granted', source: 'import', occurred_at: null },
            { channel: 'sms', status: 'withdrawn', source: 'import', occurred_at: null },
          ],
        },
      },
      {
        type: 'customer',
        line: 3,
        value: {
          ...none,
          external_id: 'bo@example.com',
          email: 'bo@example.com',
          first_name: 'Bo',
          last_name: null,
          birthday: '1990-12-31',
          tags: null,
          attributes: null,
          created_at: null,
          consents: null,
        },
      },
    ]);
    expect(got.rejects).toEqual([
      { line: 4, column: 'accepts_email_marketing', reason: '"maybe" is not yes or no' },
      { line: 4, column: 'birthday', reason: '"1990-02-30" is not a valid date' },
      { line: 4, column: 'email', reason: 'Invalid email address' },
      { line: 5, column: 'customer_id', reason: 'customer_id and email are both empty' },
    ]);
  });

  it('reads products: id or sku, price in the default currency, other columns as attributes', async () => {
    const got = await collectFixture('generic-products.csv', 'products', 'generic', en);
    expect(got.records).toEqual([
      {
        type: 'product',
        line: 2,
        value: {
          external_id: 'P1',
          sku: 'MUG-1',
          title: 'Mug',
          category: 'Kitchen',
          price_minor: 1250,
          currency: 'EUR',
          replenishment_interval_days: null,
          attributes: { brand: 'Acme' },
          updated_at: null,
        },
      },
      {
        type: 'product',
        line: 3,
        value: {
          external_id: 'TEA-1',
          sku: 'TEA-1',
          title: 'Tea',
          category: 'Pantry',
          price_minor: 500,
          currency: 'EUR',
          replenishment_interval_days: 30,
          attributes: null,
          updated_at: null,
        },
      },
    ]);
    expect(got.rejects).toEqual([
      { line: 4, column: 'price', reason: '"abc" is not an amount' },
      { line: 4, column: 'title', reason: 'is empty but required' },
    ]);
  });
});
