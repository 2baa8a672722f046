import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.ts';
import { registerImportRoutes } from '../src/imports/routes.ts';
import type { ErrorCode } from '../src/kernel/errors.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { systemClock } from '../src/system-clock.ts';
import { describeEachDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

const customer = (extra: Record<string, unknown> = {}) => ({
  external_id: 'cv-1',
  email: 'cv@example.com',
  ...extra,
});
const line = { sku: 'MUG-1', quantity: 1, unit_price_minor: 1250 };
const order = (extra: Record<string, unknown> = {}) => ({
  external_id: 'ov-1',
  customer: { external_id: 'cv-1' },
  placed_at: '2026-01-15T10:00:00Z',
  currency: 'EUR',
  lines: [line],
  ...extra,
});
const orderLine = (extra: Record<string, unknown>) => order({ lines: [{ ...line, ...extra }] });
const product = (extra: Record<string, unknown> = {}) => ({ external_id: 'pv-1', title: 'Mug', ...extra });
const cart = (extra: Record<string, unknown> = {}) => ({
  external_id: 'kv-1',
  currency: 'EUR',
  lines: [line],
  updated_at: '2026-01-15T10:00:00Z',
  ...extra,
});
const event = (extra: Record<string, unknown> = {}) => ({
  external_id: 'ev-1',
  type: 'page_view',
  occurred_at: '2026-01-15T10:00:00Z',
  ...extra,
});
const refund = (extra: Record<string, unknown> = {}) => ({
  external_id: 'rv-1',
  order_external_id: 'known-order',
  refunded_at: '2026-01-16T10:00:00Z',
  currency: 'EUR',
  amount_minor: 100,
  ...extra,
});
const consent = (extra: Record<string, unknown> = {}) => ({
  customer_id: 'known',
  channel: 'email',
  status: 'granted',
  ...extra,
});
const without = (o: Record<string, unknown>, key: string) => {
  const { [key]: _, ...rest } = o;
  return rest;
};
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'DELETE';
  url: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** What to authenticate with: the store's key (default), none, a bad one, or the admin token. */
  auth?: 'store' | 'none' | 'revoked' | 'wrong' | 'basic' | 'admin' | 'admin-wrong';
  status: number;
  code: ErrorCode;
  /** A path that must be among the error's details (none checked when omitted). */
  path?: string;
}

const overflowLine = { ...line, quantity: 1_000_000, unit_price_minor: 2 ** 50 };
const V = 'VALIDATION_FAILED' as const;

// biome-ignore format: one row per case reads as a table
const cases: Case[] = [
  // customers
  { name: 'customer external_id of the wrong type', url: '/v1/customers', body: customer({ external_id: 123 }), status: 422, code: V, path: 'external_id' },
  { name: 'customer without external_id', url: '/v1/customers', body: without(customer(), 'external_id'), status: 422, code: V, path: 'external_id' },
  { name: 'customer with a blank external_id', url: '/v1/customers', body: customer({ external_id: '   ' }), status: 422, code: V, path: 'external_id' },
  { name: 'customer with an invalid email', url: '/v1/customers', body: customer({ email: 'not-an-email' }), status: 422, code: V, path: 'email' },
  { name: 'customer with an impossible birthday', url: '/v1/customers', body: customer({ birthday: '1990-02-30' }), status: 422, code: V, path: 'birthday' },
  { name: 'customer with a year-0 birthday', url: '/v1/customers', body: customer({ birthday: '0000-06-01' }), status: 422, code: V, path: 'birthday' },
  { name: 'customer with tags as a string', url: '/v1/customers', body: customer({ tags: 'vip' }), status: 422, code: V, path: 'tags' },
  { name: 'customer with attributes as an array', url: '/v1/customers', body: customer({ attributes: [1] }), status: 422, code: V, path: 'attributes' },
  { name: 'customer with an unknown consent channel', url: '/v1/customers', body: customer({ consents: [{ channel: 'fax', status: 'granted' }] }), status: 422, code: V, path: 'consents[0].channel' },
  { name: 'customer with updated_at that is no date', url: '/v1/customers', body: customer({ updated_at: 'yesterday' }), status: 422, code: V, path: 'updated_at' },
  { name: 'customer with a NUL character in a name', url: '/v1/customers', body: customer({ first_name: 'A\u0000da' }), status: 422, code: V, path: 'first_name' },
  { name: 'customer with a NUL character in attributes', url: '/v1/customers', body: customer({ attributes: { note: 'x\u0000y' } }), status: 422, code: V, path: 'attributes.note' },
  { name: 'customer with a NUL character in an attribute key', url: '/v1/customers', body: customer({ attributes: { 'a\u0000': 1 } }), status: 422, code: V, path: 'attributes.a\u0000' },
  // orders
  { name: 'order without placed_at', url: '/v1/orders', body: without(order(), 'placed_at'), status: 422, code: V, path: 'placed_at' },
  { name: 'order with a four-letter currency', url: '/v1/orders', body: order({ currency: 'EURO' }), status: 422, code: V, path: 'currency' },
  { name: 'order with a currency sign', url: '/v1/orders', body: order({ currency: '€' }), status: 422, code: V, path: 'currency' },
  { name: 'order with month 13', url: '/v1/orders', body: order({ placed_at: '2026-13-01T00:00:00Z' }), status: 422, code: V, path: 'placed_at' },
  { name: 'order with a time without offset', url: '/v1/orders', body: order({ placed_at: '2026-01-15T10:00:00' }), status: 422, code: V, path: 'placed_at' },
  { name: 'order placed in year 0', url: '/v1/orders', body: order({ placed_at: '0000-01-15T10:00:00Z' }), status: 422, code: V, path: 'placed_at' },
  { name: 'order placed after 9999 in UTC', url: '/v1/orders', body: order({ placed_at: '9999-12-31T23:59:59-14:00' }), status: 422, code: V, path: 'placed_at' },
  { name: 'order with a negative price', url: '/v1/orders', body: orderLine({ unit_price_minor: -1 }), status: 422, code: V, path: 'lines[0].unit_price_minor' },
  { name: 'order with a fractional minor amount', url: '/v1/orders', body: orderLine({ unit_price_minor: 12.5 }), status: 422, code: V, path: 'lines[0].unit_price_minor' },
  { name: 'order with a price as a string', url: '/v1/orders', body: orderLine({ unit_price_minor: '1250' }), status: 422, code: V, path: 'lines[0].unit_price_minor' },
  { name: 'order with a quantity of 0', url: '/v1/orders', body: orderLine({ quantity: 0 }), status: 422, code: V, path: 'lines[0].quantity' },
  { name: 'order with no lines', url: '/v1/orders', body: order({ lines: [] }), status: 422, code: V, path: 'lines' },
  { name: 'order line naming nothing', url: '/v1/orders', body: order({ lines: [{ quantity: 1, unit_price_minor: 1 }] }), status: 422, code: V, path: 'lines[0].sku' },
  { name: 'order with an unknown status', url: '/v1/orders', body: order({ status: 'shipped' }), status: 422, code: V, path: 'status' },
  { name: 'order with a negative shipping', url: '/v1/orders', body: order({ shipping_minor: -490 }), status: 422, code: V, path: 'shipping_minor' },
  { name: 'order total beyond the safe range', url: '/v1/orders', body: order({ total_minor: 2 ** 60 }), status: 422, code: V, path: 'total_minor' },
  { name: 'order whose lines overflow the money range', url: '/v1/orders', body: order({ lines: [overflowLine] }), status: 422, code: V, path: 'lines' },
  { name: "order whose customer's email is invalid", url: '/v1/orders', body: order({ customer: { external_id: 'cv-2', email: 'nope' } }), status: 422, code: V, path: 'customer.email' },
  { name: 'order with an empty discount code', url: '/v1/orders', body: order({ discount_codes: [''] }), status: 422, code: V, path: 'discount_codes[0]' },
  // products
  { name: 'product without title', url: '/v1/products', body: without(product(), 'title'), status: 422, code: V, path: 'title' },
  { name: 'product with a replenishment interval of 0', url: '/v1/products', body: product({ replenishment_interval_days: 0 }), status: 422, code: V, path: 'replenishment_interval_days' },
  { name: 'product with a price in major units as text', url: '/v1/products', body: product({ price_minor: '12.50' }), status: 422, code: V, path: 'price_minor' },
  // carts
  { name: 'cart without updated_at', url: '/v1/carts', body: without(cart(), 'updated_at'), status: 422, code: V, path: 'updated_at' },
  { name: 'cart with a checkout_url that is no URL', url: '/v1/carts', body: cart({ checkout_url: 'not a url' }), status: 422, code: V, path: 'checkout_url' },
  { name: 'cart with an unknown status', url: '/v1/carts', body: cart({ status: 'lost' }), status: 422, code: V, path: 'status' },
  { name: 'cart with an unknown recovered order', url: '/v1/carts', body: cart({ recovered_order_external_id: 'no-such-order' }), status: 422, code: V, path: 'recovered_order_external_id' },
  { name: 'cart whose lines overflow the money range', url: '/v1/carts', body: cart({ lines: [overflowLine] }), status: 422, code: V, path: 'lines' },
  // events
  { name: 'event of an unknown type', url: '/v1/events', body: event({ type: 'click' }), status: 422, code: V, path: 'type' },
  { name: 'event without occurred_at', url: '/v1/events', body: without(event(), 'occurred_at'), status: 422, code: V, path: 'occurred_at' },
  { name: 'event with a payload that is a string', url: '/v1/events', body: event({ payload: 'x' }), status: 422, code: V, path: 'payload' },
  // refunds
  { name: 'refund of an unknown order', url: '/v1/refunds', body: refund({ order_external_id: 'no-such-order' }), status: 422, code: V, path: 'order_external_id' },
  { name: 'refund of an unknown order id', url: '/v1/refunds', body: refund({ order_external_id: null, order_id: 'ord_01JAAAAAAAAAAAAAAAAAAAAAAA' }), status: 422, code: V, path: 'order_id' },
  { name: 'refund with a negative amount', url: '/v1/refunds', body: refund({ amount_minor: -100 }), status: 422, code: V, path: 'amount_minor' },
  { name: 'refund line with quantity 0', url: '/v1/refunds', body: refund({ lines: [{ quantity: 0, amount_minor: 1 }] }), status: 422, code: V, path: 'lines[0].quantity' },
  // consents
  { name: 'consent for an unknown customer', url: '/v1/consents', body: consent({ customer_id: 'nobody' }), status: 422, code: V, path: 'customer_id' },
  { name: 'consent naming no customer', url: '/v1/consents', body: without(consent(), 'customer_id'), status: 422, code: V, path: 'customer_id' },
  { name: 'consent with an unknown status', url: '/v1/consents', body: consent({ status: 'maybe' }), status: 422, code: V, path: 'status' },
  { name: 'consent posted to an unknown customer', url: '/v1/customers/nobody/consents', body: { channel: 'email', status: 'granted' }, status: 404, code: 'NOT_FOUND' },
  { name: 'consents batch naming an unknown customer', url: '/v1/consents/batch', body: { data: [consent(), consent({ customer_id: 'nobody' })] }, status: 422, code: V, path: 'data[1].customer_id' },
  // batches
  { name: 'batch of 1,001', url: '/v1/customers/batch', body: { data: Array.from({ length: 1001 }, (_, i) => customer({ external_id: `b-${i}` })) }, status: 422, code: V, path: 'data' },
  { name: 'empty batch', url: '/v1/orders/batch', body: { data: [] }, status: 422, code: V, path: 'data' },
  { name: 'batch whose data is no array', url: '/v1/orders/batch', body: { data: order() }, status: 422, code: V, path: 'data' },
  { name: 'refund batch with one unknown order', url: '/v1/refunds/batch', body: { data: [refund(), refund({ external_id: 'rv-2' }), refund({ external_id: 'rv-3', order_external_id: 'nope' }), refund({ external_id: 'rv-4' })] }, status: 422, code: V, path: 'data[2].order_external_id' },
  { name: 'refund batch of one with an unknown order', url: '/v1/refunds/batch', body: { data: [refund({ order_external_id: 'nope' })] }, status: 422, code: V, path: 'data[0].order_external_id' },
  { name: 'cart batch with one unknown recovered order', url: '/v1/carts/batch', body: { data: [cart(), cart({ external_id: 'kv-2', recovered_order_external_id: 'nope' })] }, status: 422, code: V, path: 'data[1].recovered_order_external_id' },
  { name: 'order batch with one overflowing order', url: '/v1/orders/batch', body: { data: [order(), order({ external_id: 'ov-2', lines: [overflowLine] })] }, status: 422, code: V, path: 'data[1].lines' },
  // bodies
  { name: 'malformed JSON', url: '/v1/orders', raw: '{"external_id": ', status: 400, code: 'MALFORMED_JSON' },
  { name: 'empty JSON body', url: '/v1/orders', raw: '', status: 400, code: 'MALFORMED_JSON' },
  { name: 'JSON with a __proto__ key', url: '/v1/customers', raw: '{"external_id":"x","__proto__":{"admin":true}}', status: 400, code: 'MALFORMED_JSON' },
  { name: 'a JSON array instead of an object', url: '/v1/orders', body: [order()], status: 422, code: V, path: '(root)' },
  { name: 'JSON null', url: '/v1/orders', raw: 'null', status: 422, code: V, path: '(root)' },
  { name: 'JSON nested 20,000 levels deep', url: '/v1/customers', raw: `{"external_id":"deep","attributes":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`, status: 422, code: V, path: `attributes.a${'[0]'.repeat(30)}` },
  { name: 'a body that is not JSON (text/xml)', url: '/v1/orders', raw: '<order/>', headers: { 'content-type': 'text/xml' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'a body over 20 MB', url: '/v1/customers/batch', raw: `{"data":[${'{"external_id":"x"},'.repeat(1_200_000)}{"external_id":"y"}]}`, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  // query strings and paths
  { name: 'a cursor this API never returned', method: 'GET', url: '/v1/orders?cursor=garbage', status: 422, code: V, path: 'cursor' },
  { name: 'a cursor with a time that is no time', method: 'GET', url: `/v1/customers?cursor=${cursorOf(['not a time', 'cus_x'])}`, status: 422, code: V, path: 'cursor' },
  { name: 'a cursor of the wrong shape', method: 'GET', url: `/v1/products?cursor=${cursorOf({ ts: 1 })}`, status: 422, code: V, path: 'cursor' },
  { name: "an events cursor whose transaction is no number", method: 'GET', url: `/v1/loyalty/events?cursor=${cursorOf(['x1', 'ev_1'])}`, status: 422, code: V, path: 'cursor' },
  { name: 'an events cursor of the orders listing', method: 'GET', url: `/v1/loyalty/events?cursor=${cursorOf(['2024-01-01T00:00:00Z', 'ord_1', 'extra'])}`, status: 422, code: V, path: 'cursor' },
  { name: 'limit 0', method: 'GET', url: '/v1/orders?limit=0', status: 422, code: V, path: 'querystring.limit' },
  { name: 'limit over 500', method: 'GET', url: '/v1/customers?limit=501', status: 422, code: V, path: 'querystring.limit' },
  { name: 'limit that is no number', method: 'GET', url: '/v1/carts?limit=ten', status: 422, code: V, path: 'querystring.limit' },
  { name: 'updated_since that is no date', method: 'GET', url: '/v1/orders?updated_since=yesterday', status: 422, code: V, path: 'querystring.updated_since' },
  { name: 'updated_since in year 0', method: 'GET', url: '/v1/orders?updated_since=0000-01-01T00:00:00Z', status: 422, code: V, path: 'querystring.updated_since' },
  { name: 'placed_from in year 0', method: 'GET', url: '/v1/orders?placed_from=0000-01-01T00:00:00Z', status: 422, code: V },
  { name: 'event list of an unknown type', method: 'GET', url: '/v1/events?type=click', status: 422, code: V, path: 'querystring.type' },
  { name: 'an id over 255 characters', method: 'GET', url: `/v1/orders/${'x'.repeat(256)}`, status: 422, code: V, path: 'params.id' },
  { name: 'an id over 1,000 characters', method: 'GET', url: `/v1/orders/${'x'.repeat(5000)}`, status: 422, code: V, path: 'params' },
  { name: 'a URL with broken percent-encoding', method: 'GET', url: '/v1/orders/%E0%A4%A', status: 404, code: 'NOT_FOUND' },
  { name: 'an unknown id', method: 'GET', url: '/v1/orders/nope', status: 404, code: 'NOT_FOUND' },
  { name: 'an unknown route', method: 'GET', url: '/v1/invoices', status: 404, code: 'NOT_FOUND' },
  { name: 'an unknown method on a known path', method: 'DELETE', url: '/v1/orders/known-order', status: 404, code: 'NOT_FOUND' },
  // authentication
  { name: 'no API key', method: 'GET', url: '/v1/orders', auth: 'none', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'an unknown API key', url: '/v1/orders', body: order(), auth: 'wrong', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'a revoked API key', url: '/v1/orders', body: order(), auth: 'revoked', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'Basic instead of Bearer', method: 'GET', url: '/v1/orders', auth: 'basic', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'a wrong admin token', method: 'GET', url: '/admin/v1/stores', auth: 'admin-wrong', status: 403, code: 'FORBIDDEN' },
  { name: 'no admin token', method: 'GET', url: '/admin/v1/stores', auth: 'none', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'an admin store with a bad slug', url: '/admin/v1/stores', body: { slug: 'Not A Slug' }, auth: 'admin', status: 422, code: V, path: 'slug' },
  { name: 'an admin store whose slug exists', url: '/admin/v1/stores', body: { slug: 'val-a' }, auth: 'admin', status: 409, code: 'STORE_EXISTS', path: 'slug' },
  { name: 'an admin key for an unknown store', url: '/admin/v1/stores/nope/keys', body: {}, auth: 'admin', status: 404, code: 'NOT_FOUND' },
];

const TABLES = [
  'customers',
  'consents',
  'products',
  'orders',
  'order_lines',
  'refunds',
  'refund_lines',
  'carts',
  'cart_lines',
  'events',
  'idempotency_keys',
];

describeEachDb('bad input', (getDb) => {
  let t: TestApp;
  let key: string;
  let revoked: string;
  let storeId: string;

  const counts = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const res = await getDb().query<{ n: number }>(
        `select count(*)::int as n from ${table} where store_id = $1`,
        [storeId],
      );
      out[table] = res.rows[0].n;
    }
    const stores = await getDb().query<{ n: number }>('select count(*)::int as n from stores');
    out.stores = stores.rows[0].n;
    return out;
  };

  beforeAll(async () => {
    t = await testApp(getDb());
    ({ key, storeId } = await storeWithKey(getDb(), 'val-a'));
    const other = await storeWithKey(getDb(), 'val-revoked');
    revoked = other.key;
    await getDb().query('update api_keys set revoked_at = now() where store_id = $1', [other.storeId]);
    const seed = [
      ['/v1/customers', { external_id: 'known', email: 'known@example.com' }],
      ['/v1/orders', order({ external_id: 'known-order', customer: { external_id: 'known' } })],
    ] as const;
    for (const [url, body] of seed) expect((await t.call('POST', url, body, { key })).status).toBe(201);
  });
  afterAll(async () => {
    await t.app.close();
  });

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}${c.path ? ` at ${c.path}` : ''}, nothing written`, async () => {
      const before = await counts();
      const headers = { ...c.headers };
      let secret: string | undefined;
      const auth = c.auth ?? 'store';
      if (auth === 'store') secret = key;
      else if (auth === 'revoked') secret = revoked;
      else if (auth === 'wrong') secret = 'cb_00000000_nope';
      else if (auth === 'basic') headers.authorization = `Basic ${Buffer.from('a:b').toString('base64')}`;
      else if (auth === 'admin-wrong') headers.authorization = 'Bearer not-the-token';
      else if (auth === 'admin') headers.authorization = 'Bearer test-admin-token';
      const res = await t.call(c.method ?? 'POST', c.url, c.body, { key: secret, headers, raw: c.raw });
      expect(res.status).not.toBeGreaterThanOrEqual(500);
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: c.status, code: c.code });
      // The one error shape.
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(res.body.error).toEqual({
        code: c.code,
        message: expect.any(String),
        details: expect.any(Array),
      });
      for (const d of res.body.error.details) {
        expect(d).toEqual({ path: expect.any(String), message: expect.any(String) });
      }
      if (c.path) {
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(c.path);
      }
      expect(await counts()).toEqual(before);
    });
  }

  it('writes none of a batch of 10 orders when the 8th is bad, and names it data[7]', async () => {
    const before = await counts();
    const data: Record<string, unknown>[] = Array.from({ length: 10 }, (_, i) =>
      order({ external_id: `batch-${i}`, customer: { external_id: `batch-c-${i}` } }),
    );
    data[7] = { ...data[7], lines: [{ sku: 'X', quantity: 'two', unit_price_minor: 100 }] };
    const res = await t.call('POST', '/v1/orders/batch', { data }, { key });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'data[7].lines[0].quantity',
    ]);
    expect(await counts()).toEqual(before);
    const listed = await t.call('GET', '/v1/orders?limit=500', undefined, { key });
    expect(
      listed.body.data.filter((o: { external_id: string }) => o.external_id.startsWith('batch-')),
    ).toEqual([]);
  });

  it('writes none of a batch when a record fails in the database step (refund of an unknown order)', async () => {
    const before = await counts();
    const data = [
      order({ external_id: 'db-batch-1' }),
      order({ external_id: 'db-batch-2', customer: { external_id: 'db-batch-c' } }),
    ];
    expect((await t.call('POST', '/v1/orders/batch', { data }, { key })).status).toBe(200);
    const mid = await counts();
    expect(mid.orders).toBe(before.orders + 2);
    const refunds = [
      refund({ external_id: 'r-ok', order_external_id: 'db-batch-1' }),
      refund({ external_id: 'r-bad', order_external_id: 'missing' }),
    ];
    const res = await t.call('POST', '/v1/refunds/batch', { data: refunds }, { key });
    expect(res.status).toBe(422);
    expect(await counts()).toEqual(mid);
    const order1 = await t.call('GET', '/v1/orders/db-batch-1', undefined, { key });
    expect(order1.body).toMatchObject({ refunded_minor: 0, status: 'paid' });
  });
});

describeEachDb('bad input with the import routes registered, as comeback serve builds the app', (getDb) => {
  let app: FastifyInstance;
  let key: string;
  let storeId: string;

  beforeAll(async () => {
    const ctx = {
      db: getDb(),
      ids: createIdGenerator(),
      clock: systemClock,
      version: 'test',
      adminToken: 'x',
    };
    app = await buildApp(ctx, { v1Plugins: [registerImportRoutes], adminPlugins: [registerImportRoutes] });
    await app.ready();
    ({ key, storeId } = await storeWithKey(getDb(), 'val-imports'));
  });
  afterAll(async () => {
    await app.close();
  });

  const send = async (url: string, contentType: string, payload: string) => {
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
      payload,
    });
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  const orders = async () =>
    (
      await getDb().query<{ n: number }>('select count(*)::int as n from orders where store_id = $1', [
        storeId,
      ])
    ).rows[0].n;
  const csv =
    'order_id,customer_id,placed_at,currency,sku,quantity,unit_price\n9001,C1,2024-05-01,EUR,MUG-1,1,10.00\n';

  it.each([
    ['/v1/orders', 'text/plain', JSON.stringify(order())],
    ['/v1/orders', 'text/csv', csv],
    ['/v1/orders/batch', 'application/octet-stream', JSON.stringify({ data: [order()] })],
    ['/v1/customers', 'text/tab-separated-values', 'external_id\tx'],
    ['/v1/imports?kind=orders', 'application/json', '{}'],
  ])('POST %s as %s → 415 UNSUPPORTED_MEDIA_TYPE, nothing written', async (url, type, payload) => {
    const res = await send(url, type, payload);
    expect(res).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
    expect(await orders()).toBe(0);
  });

  it('refuses an import of an unknown kind (422 at querystring.kind) and a file without the needed columns (422 IMPORT_FAILED)', async () => {
    const kind = await send('/v1/imports?kind=invoices', 'text/csv', csv);
    expect(kind.status).toBe(422);
    expect(kind.body.error.details[0].path).toBe('querystring.kind');
    const columns = await send('/v1/imports?kind=orders&format=generic', 'text/csv', 'a,b\n1,2\n');
    expect(columns.status).toBe(422);
    expect(columns.body.error.code).toBe('IMPORT_FAILED');
    expect(await orders()).toBe(0);
  });

  it('still imports a CSV sent as text/csv or text/plain', async () => {
    for (const type of ['text/csv', 'text/plain']) {
      const res = await send('/v1/imports?kind=orders&format=generic', type, csv);
      expect(res.status, type).toBe(200);
      expect(res.body).toMatchObject({ records: 1, rejected: 0 });
    }
    expect(await orders()).toBe(1);
  });
});
