import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

const order = (ext: string, extra: Record<string, unknown> = {}) => ({
  external_id: ext,
  customer: { external_id: `c-${ext}`, email: `${ext}@Example.com` },
  placed_at: '2026-01-15T10:00:00Z',
  currency: 'eur',
  lines: [
    { sku: 'SKU-1', quantity: 2, unit_price_minor: 1250 },
    { title: 'Gift wrap', quantity: 1, unit_price_minor: 300 },
  ],
  shipping_minor: 490,
  ...extra,
});

describeEachDb('orders API', (getDb) => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  beforeAll(async () => {
    t = await testApp(getDb());
    key = (await storeWithKey(getDb(), 'shop-a')).key;
    otherKey = (await storeWithKey(getDb(), 'shop-b')).key;
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('creates an order with its customer and returns the stored order with derived totals', async () => {
    const res = await t.call('POST', '/v1/orders', order('o-1'), { key });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      external_id: 'o-1',
      currency: 'EUR',
      subtotal_minor: 2800,
      shipping_minor: 490,
      total_minor: 3290,
      customer_external_id: 'c-o-1',
      status: 'paid',
    });
    expect(res.body.id).toMatch(/^ord_/);
    expect(res.body.lines).toHaveLength(2);
    const c = await t.call('GET', '/v1/customers/c-o-1', undefined, { key });
    expect(c.status).toBe(200);
    expect(c.body.email).toBe('o-1@example.com');
    expect(c.body.metrics.orders_count).toBe(1);
    expect(c.body.orders[0].external_id).toBe('o-1');
  });

  it('re-sending the same order changes nothing; a changed one updates; an older version is ignored', async () => {
    const again = await t.call('POST', '/v1/orders', order('o-1'), { key });
    expect(again.status).toBe(200);
    const first = await t.call('GET', '/v1/orders/o-1', undefined, { key });
    expect(first.body.updated_at).toBe(again.body.updated_at);

    const v2 = order('o-2', { updated_at: '2026-01-16T10:00:00Z', shipping_minor: 0 });
    expect((await t.call('POST', '/v1/orders', v2, { key })).status).toBe(201);
    const v3 = order('o-2', { updated_at: '2026-01-17T10:00:00Z', shipping_minor: 100 });
    const up = await t.call('POST', '/v1/orders', v3, { key });
    expect(up.status).toBe(200);
    expect(up.body.shipping_minor).toBe(100);
    const late = order('o-2', { updated_at: '2026-01-16T12:00:00Z', shipping_minor: 999 });
    const stale = await t.call('POST', '/v1/orders', late, { key });
    expect(stale.status).toBe(200);
    expect(stale.body.shipping_minor).toBe(100);
  });

  it("a customer on several orders of one batch keeps the newest order's details, whatever the order ids", async () => {
    const at = (ext: string, placed_at: string, city: string) =>
      order(ext, {
        placed_at,
        customer: { external_id: 'c-moved', address: { line1: `${city} Street 1`, city, country: 'DE' } },
      });
    const res = await t.call(
      'POST',
      '/v1/orders/batch',
      { data: [at('z-old', '2026-01-01T10:00:00Z', 'Bonn'), at('a-new', '2026-02-01T10:00:00Z', 'Köln')] },
      { key },
    );
    expect(res.status).toBeLessThan(300);
    const c = await t.call('GET', '/v1/customers/c-moved', undefined, { key });
    expect(c.body.address).toMatchObject({ line1: 'Köln Street 1', city: 'Köln' });
  });

  it('gets by our id and lists by external_id', async () => {
    const created = await t.call('POST', '/v1/orders', order('o-3'), { key });
    const byId = await t.call('GET', `/v1/orders/${created.body.id}`, undefined, { key });
    expect(byId.status).toBe(200);
    expect(byId.body.external_id).toBe('o-3');
    const list = await t.call('GET', '/v1/orders?external_id=o-3', undefined, { key });
    expect(list.body.data.map((o: { id: string }) => o.id)).toEqual([created.body.id]);
  });

  it('rejects bad input with the documented error and writes nothing', async () => {
    const bad = order('o-bad', { lines: [{ sku: 'X', quantity: 'two', unit_price_minor: 1 }] });
    const res = await t.call('POST', '/v1/orders', bad, { key });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: 'lines[0].quantity' }));
    const malformed = await t.call('POST', '/v1/orders', undefined, { key, raw: '{"external_id": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('MALFORMED_JSON');
    expect((await t.call('GET', '/v1/orders/o-bad', undefined, { key })).status).toBe(404);
    expect((await t.call('GET', '/v1/customers/c-o-bad', undefined, { key })).status).toBe(404);
  });

  it('keeps stores apart: another store gets 404 for every id and its lists never leak', async () => {
    const created = await t.call('POST', '/v1/orders', order('o-iso'), { key });
    expect((await t.call('GET', `/v1/orders/${created.body.id}`, undefined, { key: otherKey })).status).toBe(
      404,
    );
    expect((await t.call('GET', '/v1/orders/o-iso', undefined, { key: otherKey })).status).toBe(404);
    expect((await t.call('GET', '/v1/customers/c-o-iso', undefined, { key: otherKey })).status).toBe(404);
    const list = await t.call('GET', '/v1/orders', undefined, { key: otherKey });
    expect(list.body.data).toEqual([]);
    expect((await t.call('GET', '/v1/orders', undefined, { key: 'nope' })).status).toBe(401);
    expect((await t.call('GET', '/v1/orders')).status).toBe(401);
  });
});
