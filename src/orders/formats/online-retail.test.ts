import { describe, expect, it } from 'vitest';
import { collectFixture } from '../../../test/fixtures/import/read-fixture.ts';
import { normalizeCustomerId } from './online-retail.ts';

const gbp = { decimalComma: false, defaultCurrency: 'GBP' };
const uk = (id: string) => ({ external_id: id, attributes: { country: 'United Kingdom' } });
const paid = (
  external_id: string,
  customer: unknown,
  placed_at: string,
  lines: unknown[],
  total_minor: number,
) => ({
  type: 'order',
  value: { external_id, customer, placed_at, currency: 'GBP', status: 'paid', lines, total_minor },
});

describe('Online Retail II', () => {
  it('yields invoices as orders, C-invoices as refunds, guests without a customer', async () => {
    const got = await collectFixture('online-retail.csv', 'orders', 'online-retail', gbp);
    expect(got.records).toEqual([
      {
        line: 2,
        ...paid(
          '489434',
          uk('13085'),
          '2009-12-01T07:45:00.000Z',
          [
            {
              sku: '85048',
              title: '15CM CHRISTMAS GLASS BALL 20 LIGHTS',
              quantity: 12,
              unit_price_minor: 695,
            },
            { sku: '79323P', title: 'PINK CHERRY LIGHTS', quantity: 12, unit_price_minor: 675 },
          ],
          16440,
        ),
      },
      {
        line: 5,
        ...paid(
          '489435',
          null,
          '2009-12-01T07:46:00.000Z',
          [{ sku: '22350', title: 'CAT BOWL', quantity: 12, unit_price_minor: 255 }],
          3060,
        ),
      },
      {
        line: 6,
        ...paid(
          '489436',
          uk('13078'),
          '2009-12-01T09:06:00.000Z',
          [
            { sku: '21523', title: 'DOORMAT "WELCOME"\nHOME', quantity: 10, unit_price_minor: 595 },
            { sku: 'POST', title: 'POSTAGE', quantity: 1, unit_price_minor: 1800 },
          ],
          7750,
        ),
      },
      {
        type: 'refund',
        line: 11,
        value: {
          external_id: 'C489449',
          customer: { external_id: '16321', attributes: { country: 'Australia' } },
          refunded_at: '2009-12-01T10:33:00.000Z',
          currency: 'GBP',
          amount_minor: 4530,
          reason: 'cancellation invoice C489449',
          lines: [
            { sku: '22087', quantity: 12, amount_minor: 3540 },
            { sku: '85206A', quantity: 6, amount_minor: 990 },
          ],
        },
      },
      {
        line: 15,
        ...paid(
          '536365',
          uk('17850'),
          '2010-12-01T08:26:00.000Z',
          [{ sku: '71053', title: 'WHITE METAL LANTERN', quantity: 6, unit_price_minor: 339 }],
          2034,
        ),
      },
    ]);
    expect({ rowsRead: got.rowsRead, guestOrders: got.guestOrders }).toEqual({
      rowsRead: 13,
      guestOrders: 1,
    });
  });

  it('rejects duplicates, rows with no sale value, bad cells and adjustment invoices with line and column', async () => {
    const got = await collectFixture('online-retail.csv', 'orders', 'online-retail', gbp);
    expect(got.rejects).toEqual([
      { line: 4, column: null, reason: 'duplicate of line 3 (identical row in order 489434); kept once' },
      { line: 9, column: 'Quantity', reason: '"six" is not a whole number' },
      {
        line: 10,
        column: 'Price',
        reason: 'price 0: not a sale (free item or stock adjustment), row left out',
      },
      { line: 13, column: 'InvoiceDate', reason: '"2009-13-45 10:00:00" is not a valid date' },
      { line: 14, column: 'Invoice', reason: 'adjustment invoice (A…): a bad-debt write-off, not a sale' },
    ]);
  });

  it('reads the older Online Retail headers in a ; file with decimal commas', async () => {
    const got = await collectFixture('online-retail-v1-de.csv', 'orders', 'online-retail', {
      decimalComma: true,
      defaultCurrency: 'GBP',
    });
    expect(got.records).toEqual([
      {
        line: 2,
        ...paid(
          '536365',
          uk('17850'),
          '2010-12-01T08:26:00.000Z',
          [
            {
              sku: '85123A',
              title: 'WHITE HANGING HEART T-LIGHT HOLDER',
              quantity: 6,
              unit_price_minor: 255,
            },
            { sku: '71053', title: 'WHITE METAL LANTERN', quantity: 6, unit_price_minor: 339 },
          ],
          3564,
        ),
      },
      {
        type: 'refund',
        line: 4,
        value: {
          external_id: 'C536379',
          customer: uk('14527'),
          refunded_at: '2010-12-01T09:41:00.000Z',
          currency: 'GBP',
          amount_minor: 2750,
          reason: 'cancellation invoice C536379',
          lines: [{ sku: 'D', quantity: 1, amount_minor: 2750 }],
        },
      },
    ]);
    expect(got.rejects).toEqual([]);
  });

  it('normalises spreadsheet customer ids', () => {
    expect(['17850.0', '17850', ' 12346.00 ', 'AB1.0'].map(normalizeCustomerId)).toEqual([
      '17850',
      '17850',
      '12346',
      'AB1.0',
    ]);
  });
});
