import { describe, expect, it } from 'vitest';
import { collectFixture } from '../../../test/fixtures/import/read-fixture.ts';

const usd = { decimalComma: false, defaultCurrency: 'USD' };
const ada = {
  external_id: 'ada@example.com',
  email: 'ada@example.com',
  phone: '+1 555 0100',
  first_name: 'Ada',
  last_name: 'Example',
  // Billing Street (Billing Address1 is empty in this export), Zip, City and Country.
  address: {
    line1: '1 Fictional Lane',
    line2: null,
    postal_code: '00000',
    city: 'Testville',
    region: null,
    country: 'US',
  },
};
const line = (sku: string, title: string, quantity: number, unit: number, discount = 0) => ({
  sku,
  title,
  quantity,
  unit_price_minor: unit,
  discount_minor: discount,
});
const zero = { discount_minor: 0, shipping_minor: 0, tax_minor: 0, discount_codes: null, source: 'web' };

describe('Shopify orders export', () => {
  it('builds one order per Name from its line-item rows, with consent, guest, refund and cancellation', async () => {
    const got = await collectFixture('shopify-orders.csv', 'orders', 'shopify', usd);
    expect(got.records).toEqual([
      {
        type: 'customer',
        line: 2,
        value: {
          ...ada,
          consents: [
            {
              channel: 'email',
              status: 'granted',
              source: 'shopify import',
              occurred_at: '2024-03-01T14:14:00.000Z',
            },
          ],
        },
      },
      {
        type: 'order',
        line: 2,
        value: {
          external_id: '5550000001',
          customer: ada,
          placed_at: '2024-03-01T14:14:00.000Z',
          currency: 'USD',
          status: 'fulfilled',
          source: 'web',
          // line 2 spans lines 2–3 (a quoted newline in Notes); the second item is on line 4
          lines: [line('FERN-1', 'Fern Print', 2, 1600), line('TOTE-1', 'Canvas Tote', 1, 2000, 500)],
          discount_minor: 500,
          shipping_minor: 600,
          tax_minor: 329,
          total_minor: 5629,
          discount_codes: ['FALL5'],
        },
      },
      {
        type: 'order',
        line: 5,
        value: {
          ...zero,
          external_id: '5550000002',
          customer: null,
          placed_at: '2024-03-02T15:00:00.000Z',
          currency: 'USD',
          status: 'paid',
          source: 'pos',
          lines: [line('TOTE-1', 'Tote', 1, 2500)],
          total_minor: 2500,
        },
      },
      {
        type: 'order',
        line: 6,
        value: {
          ...zero,
          external_id: '5550000003',
          customer: {
            external_id: 'bo@example.com',
            email: 'bo@example.com',
            phone: null,
            first_name: 'Bo',
            last_name: null,
          },
          placed_at: '2024-03-03T16:00:00.000Z',
          currency: 'USD',
          status: 'partially_refunded',
          lines: [line('FERN-1', 'Fern Print', 2, 2000)],
          total_minor: 4000,
        },
      },
      {
        type: 'refund',
        line: 6,
        value: {
          external_id: '5550000003:refund',
          order_external_id: '5550000003',
          customer: {
            external_id: 'bo@example.com',
            email: 'bo@example.com',
            phone: null,
            first_name: 'Bo',
            last_name: null,
          },
          refunded_at: '2024-03-03T16:00:00.000Z',
          currency: 'USD',
          amount_minor: 2000,
          reason: 'Refunded Amount in the Shopify export',
        },
      },
      {
        type: 'order',
        line: 7,
        value: {
          ...zero,
          external_id: '5550000004',
          customer: {
            external_id: 'cy@example.com',
            email: 'cy@example.com',
            phone: null,
            first_name: null,
            last_name: null,
          },
          placed_at: '2024-03-04T12:00:00.000Z',
          currency: 'USD',
          status: 'cancelled',
          lines: [line('FERN-1', 'Fern Print', 1, 1600)],
          total_minor: 1600,
        },
      },
    ]);
    expect(got.rejects).toEqual([
      { line: 8, column: 'Lineitem price', reason: '"sixteen" is not an amount' },
    ]);
    expect({ rowsRead: got.rowsRead, guestOrders: got.guestOrders }).toEqual({ rowsRead: 6, guestOrders: 1 });
  });
});

describe('Shopify orders export: billing addresses', () => {
  it("gives the customer the billing address (Address1 and Address2, a country's name as its code); one that fails validation is left out, not the order", async () => {
    const got = await collectFixture('shopify-orders-address.csv', 'orders', 'shopify', usd);
    expect(got.rejects).toEqual([]);
    const orders = got.records.filter((r) => r.type === 'order');
    const addresses = orders.map((r) => (r.value as { customer: { address?: unknown } }).customer.address);
    expect(addresses).toEqual([
      {
        line1: 'Hauptstr. 1',
        line2: 'Hof 2',
        postal_code: '80331',
        city: 'München',
        region: 'Bayern',
        country: 'DE',
      },
      undefined,
    ]);
  });
});

describe('Shopify customers export', () => {
  it('keys customers by e-mail (Customer ID without one) and turns Accepts … Marketing = yes into consents', async () => {
    const got = await collectFixture('shopify-customers.csv', 'customers', 'shopify', usd);
    expect(got.records).toEqual([
      {
        type: 'customer',
        line: 2,
        value: {
          ...ada,
          // No Address1 column: the city and country stay in the attributes.
          address: undefined,
          tags: ['vip', 'newsletter'],
          attributes: {
            'Default Address City': 'Testville',
            'Default Address Country Code': 'US',
            'Total Spent': '56.29',
            'Total Orders': '1',
            'Tax Exempt': 'no',
          },
          consents: [{ channel: 'email', status: 'granted', source: 'shopify import' }],
        },
      },
      {
        type: 'customer',
        line: 3,
        value: {
          external_id: '7000000002',
          email: null,
          phone: null,
          first_name: 'Bo',
          last_name: null,
          tags: null,
          attributes: { 'Total Spent': '0.00', 'Total Orders': '0', 'Tax Exempt': 'no' },
          consents: [{ channel: 'sms', status: 'granted', source: 'shopify import' }],
        },
      },
    ]);
    expect(got.rejects).toEqual([]);
  });

  it('reads the default address (Address1, Address2, Zip without its apostrophe, City, Province Code, Country Code); a customer without one has none', async () => {
    const got = await collectFixture('shopify-customers-address.csv', 'customers', 'shopify', usd);
    expect(got.rejects).toEqual([]);
    expect(got.records.map((r) => [r.line, (r.value as { address?: unknown }).address])).toEqual([
      [
        2,
        {
          line1: '12 Sample Street',
          line2: 'Apt 4',
          postal_code: '62701',
          city: 'Springfield',
          region: 'IL',
          country: 'US',
        },
      ],
      [3, null],
    ]);
  });
});
