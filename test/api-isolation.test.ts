import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

type Body = Awaited<ReturnType<TestApp['call']>>['body'];

/** One of every resource, with external ids carrying `tag` so two stores can send the same ones. */
function records(tag: string) {
  const customer = { external_id: 'cust-1', email: `${tag}@example.com`, first_name: tag };
  return {
    customer,
    product: { external_id: 'prod-1', sku: 'MUG-1', title: `Mug ${tag}`, price_minor: 1250, currency: 'EUR' },
    order: {
      external_id: 'ord-1',
      customer: { external_id: 'cust-1' },
      placed_at: '2026-03-01T10:00:00Z',
      currency: 'EUR',
      lines: [{ product_external_id: 'prod-1', quantity: 2, unit_price_minor: 1250 }],
    },
    cart: {
      external_id: 'cart-1',
      customer: { external_id: 'cust-1' },
      currency: 'EUR',
      lines: [{ sku: 'MUG-1', quantity: 1, unit_price_minor: 1250 }],
      updated_at: '2026-03-02T10:00:00Z',
    },
    event: {
      external_id: 'evt-1',
      type: 'product_view',
      customer: { external_id: 'cust-1' },
      occurred_at: '2026-03-02T11:00:00Z',
      payload: { product: 'prod-1' },
    },
    refund: {
      external_id: 'ref-1',
      order_external_id: 'ord-1',
      refunded_at: '2026-03-03T10:00:00Z',
      currency: 'EUR',
      amount_minor: 500,
    },
    consent: { channel: 'email', status: 'granted', source: 'checkout' },
  };
}

describeEachDb('tenant isolation', (getDb) => {
  let t: TestApp;
  let keyA: string;
  let keyB: string;
  let storeA: string;
  let storeB: string;
  /** Store A's resources as the API returned them. */
  const a: Record<string, Body> = {};

  const as = (key: string) => ({
    get: (url: string) => t.call('GET', url, undefined, { key }),
    post: (url: string, body: unknown) => t.call('POST', url, body, { key }),
  });

  beforeAll(async () => {
    t = await testApp(getDb());
    ({ key: keyA, storeId: storeA } = await storeWithKey(getDb(), 'iso-a'));
    ({ key: keyB, storeId: storeB } = await storeWithKey(getDb(), 'iso-b'));
    const A = as(keyA);
    const r = records('a');
    for (const [name, path, body] of [
      ['customer', '/v1/customers', r.customer],
      ['product', '/v1/products', r.product],
      ['order', '/v1/orders', r.order],
      ['cart', '/v1/carts', r.cart],
      ['event', '/v1/events', r.event],
      ['refund', '/v1/refunds', r.refund],
    ] as const) {
      const res = await A.post(path, body);
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(201);
      a[name] = res.body;
    }
    expect((await A.post(`/v1/customers/${a.customer.id}/consents`, r.consent)).status).toBe(201);
  });
  afterAll(async () => {
    await t.app.close();
  });

  it("gives store B a 404 for every one of store A's resources, by our id and by external id", async () => {
    const B = as(keyB);
    const urls = [
      ['customers', a.customer.id, 'cust-1'],
      ['products', a.product.id, 'prod-1'],
      ['orders', a.order.id, 'ord-1'],
      ['carts', a.cart.id, 'cart-1'],
      ['events', a.event.id, 'evt-1'],
      ['refunds', a.refund.id, 'ref-1'],
      ['consents', a.customer.id, 'cust-1'],
    ].flatMap(([path, id, ext]) => [`/v1/${path}/${id}`, `/v1/${path}/${ext}`]);
    urls.push(
      `/v1/customers/${a.customer.id}/consents`,
      '/v1/customers/cust-1/consents',
      `/v1/orders/${a.order.id}/refunds`,
      '/v1/orders/ord-1/refunds',
    );
    for (const url of urls) {
      const res = await B.get(url);
      expect(res.status, url).toBe(404);
      expect(res.body.error.code, url).toBe('NOT_FOUND');
    }
    // The same URLs work for A: the 404s are isolation, not missing data.
    for (const url of urls) expect((await as(keyA).get(url)).status, url).toBe(200);
  });

  it("never lists store A's records to store B, even when B has the same external ids", async () => {
    const B = as(keyB);
    const r = records('b');
    for (const [path, body] of [
      ['/v1/customers', r.customer],
      ['/v1/products', r.product],
      ['/v1/orders', r.order],
      ['/v1/carts', r.cart],
      ['/v1/events', r.event],
    ] as const) {
      expect((await B.post(path, body)).status, path).toBe(201);
    }
    const aIds = new Set(Object.values(a).map((x) => x.id));
    for (const path of ['customers', 'orders', 'products', 'carts', 'events']) {
      const list = await B.get(`/v1/${path}?limit=500`);
      expect(list.status).toBe(200);
      expect(list.body.data.length, path).toBeGreaterThan(0);
      for (const row of list.body.data) expect(aIds.has(row.id), `${path} ${row.id}`).toBe(false);
    }
    // Filters naming A's records find nothing in B.
    const filters = [
      `/v1/customers?external_id=cust-1&email=a@example.com`,
      `/v1/orders?customer_id=${a.customer.id}`,
      `/v1/events?customer_id=${a.customer.id}`,
      `/v1/products?external_id=prod-1&sku=MUG-1`,
    ];
    for (const url of filters) {
      const res = await B.get(url);
      expect(res.status, url).toBe(200);
      for (const row of res.body.data) expect(aIds.has(row.id), url).toBe(false);
    }
    const sameExt = await B.get('/v1/orders/ord-1');
    expect(sameExt.status).toBe(200);
    expect(sameExt.body.id).not.toBe(a.order.id);
    expect((await B.get('/v1/store')).body.id).toBe(storeB);
    expect((await as(keyA).get('/v1/store')).body.id).toBe(storeA);
  });

  it("creates B's own customer when B's order names A's customer external id; A's is untouched", async () => {
    const B = as(keyB);
    const res = await B.post('/v1/orders', {
      external_id: 'ord-b-2',
      customer: { external_id: 'cust-a-only', email: 'b-claims@example.com' },
      placed_at: '2026-03-05T10:00:00Z',
      currency: 'EUR',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 100 }],
    });
    expect(res.status).toBe(201);
    // A has a customer with that external id too.
    const A = as(keyA);
    const own = await A.post('/v1/customers', { external_id: 'cust-a-only', email: 'a-own@example.com' });
    expect(own.status).toBe(201);
    const inB = await B.get('/v1/customers/cust-a-only');
    expect(inB.status).toBe(200);
    expect(inB.body.id).not.toBe(own.body.id);
    expect(inB.body.email).toBe('b-claims@example.com');
    expect(inB.body.metrics.orders_count).toBe(1);
    const inA = await A.get('/v1/customers/cust-a-only');
    expect(inA.body.email).toBe('a-own@example.com');
    expect(inA.body.metrics.orders_count).toBe(0);
    // And B re-sending A's original customer id as a reference changes nothing in A.
    await B.post('/v1/customers', { external_id: 'cust-1', email: 'hijack@example.com', first_name: null });
    const aCust = await A.get('/v1/customers/cust-1');
    expect(aCust.body).toMatchObject({ email: 'a@example.com', first_name: 'a' });
  });

  it("refuses references from B to A's records and writes nothing", async () => {
    const B = as(keyB);
    const before = await tableCounts(storeB);
    const refund = await B.post('/v1/refunds', {
      ...records('b').refund,
      external_id: 'ref-x',
      order_id: a.order.id,
    });
    expect(refund.status).toBe(422);
    expect(refund.body.error.details[0].path).toBe('order_id');
    const cart = await B.post('/v1/carts', {
      ...records('b').cart,
      external_id: 'cart-x',
      recovered_order_external_id: 'ord-a-missing',
    });
    expect(cart.status).toBe(422);
    const consent = await B.post('/v1/consents', {
      customer_id: a.customer.id,
      channel: 'sms',
      status: 'granted',
    });
    expect(consent.status).toBe(422);
    const byPath = await B.post(`/v1/customers/${a.customer.id}/consents`, {
      channel: 'sms',
      status: 'granted',
    });
    expect(byPath.status).toBe(404);
    expect(byPath.body.error.code).toBe('NOT_FOUND');
    expect(await tableCounts(storeB)).toEqual(before);
    const aHistory = await as(keyA).get(`/v1/customers/${a.customer.id}/consents`);
    expect(aHistory.body.history).toHaveLength(1);
  });

  async function tableCounts(storeId: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of ['customers', 'consents', 'orders', 'refunds', 'carts', 'events', 'products']) {
      const res = await getDb().query<{ n: number }>(
        `select count(*)::int as n from ${table} where store_id = $1`,
        [storeId],
      );
      out[table] = res.rows[0].n;
    }
    return out;
  }
});
