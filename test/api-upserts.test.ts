import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

type Body = Awaited<ReturnType<TestApp['call']>>['body'];

const T = (day: number, hour = 10) =>
  `2026-04-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDb('upserts', (getDb) => {
  let t: TestApp;
  let key: string;
  let storeId: string;

  const get = async (url: string): Promise<Body> => {
    const res = await t.call('GET', url, undefined, { key });
    expect(res.status, url).toBe(200);
    return res.body;
  };
  const post = (url: string, body: unknown, secret = key) => t.call('POST', url, body, { key: secret });
  const rows = async <R = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    (await getDb().query<R>(sql, params)).rows;
  /** The stored row as the database has it (the API output could hide a change). */
  const customerRow = async (ext: string) =>
    (await rows('select * from customers where store_id = $1 and external_id = $2', [storeId, ext]))[0];

  beforeAll(async () => {
    t = await testApp(getDb());
    ({ key, storeId } = await storeWithKey(getDb(), 'upserts'));
  });
  afterAll(async () => {
    await t.app.close();
  });

  describe('customers', () => {
    it('merges: an omitted field keeps its value, an explicit null clears it, identical content changes nothing', async () => {
      const created = await post('/v1/customers', {
        external_id: 'm-1',
        email: 'Ada@Example.com',
        first_name: 'Ada',
        last_name: 'Lovelace',
        tags: ['vip'],
        attributes: { tier: 'gold' },
      });
      expect(created.status).toBe(201);
      expect(created.body.email).toBe('ada@example.com');

      const merged = await post('/v1/customers', { external_id: 'm-1', last_name: 'King' });
      expect(merged.status).toBe(200);
      expect(merged.body).toMatchObject({
        email: 'ada@example.com',
        first_name: 'Ada',
        last_name: 'King',
        tags: ['vip'],
        attributes: { tier: 'gold' },
      });

      const cleared = await post('/v1/customers', { external_id: 'm-1', first_name: null, tags: null });
      expect(cleared.body).toMatchObject({
        first_name: null,
        last_name: 'King',
        email: 'ada@example.com',
        tags: [],
      });

      const before = await customerRow('m-1');
      const same = await post('/v1/customers/batch', { data: [{ external_id: 'm-1', last_name: 'King' }] });
      expect(same.body).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
      expect(await customerRow('m-1')).toEqual(before);

      // An order's customer reference with only the id leaves the profile alone.
      const order = await post('/v1/orders', {
        external_id: 'm-order',
        customer: { external_id: 'm-1' },
        placed_at: T(1),
        currency: 'EUR',
        lines: [{ sku: 'A', quantity: 1, unit_price_minor: 100 }],
      });
      expect(order.status).toBe(201);
      expect(await customerRow('m-1')).toEqual(before);
    });

    it('ignores a version older than the stored updated_at and applies a newer one', async () => {
      const v2 = await post('/v1/customers/batch', {
        data: [{ external_id: 'm-2', first_name: 'Two', updated_at: T(2) }],
      });
      expect(v2.body.results[0].status).toBe('created');
      const v1 = await post('/v1/customers/batch', {
        data: [{ external_id: 'm-2', first_name: 'One', email: 'late@example.com', updated_at: T(1) }],
      });
      expect(v1.body.results[0].status).toBe('unchanged');
      expect(await get('/v1/customers/m-2')).toMatchObject({ first_name: 'Two', email: null });
      const v3 = await post('/v1/customers/batch', {
        data: [{ external_id: 'm-2', first_name: 'Three', updated_at: T(3) }],
      });
      expect(v3.body.results[0].status).toBe('updated');
      expect(await get('/v1/customers/m-2')).toMatchObject({ first_name: 'Three' });
      expect((await customerRow('m-2')).source_updated_at).toEqual(new Date(T(3)));
      // Equal time, same content: nothing to do.
      const again = await post('/v1/customers/batch', {
        data: [{ external_id: 'm-2', first_name: 'Three', updated_at: T(3) }],
      });
      expect(again.body.results[0].status).toBe('unchanged');
    });

    it('merges records with one external id inside a batch, in order', async () => {
      const res = await post('/v1/customers/batch', {
        data: [
          { external_id: 'm-3', email: 'm3@example.com', first_name: 'A' },
          { external_id: 'm-3', first_name: 'B' },
        ],
      });
      expect(res.body).toMatchObject({ created: 1, updated: 0, unchanged: 0 });
      expect(await get('/v1/customers/m-3')).toMatchObject({ email: 'm3@example.com', first_name: 'B' });
      expect(
        await rows('select id from customers where store_id = $1 and external_id = $2', [storeId, 'm-3']),
      ).toHaveLength(1);
    });
  });

  describe('consents', () => {
    const history = async (ext: string) => (await get(`/v1/customers/${ext}/consents`)).history as Body[];

    it('appends: an identical re-send adds nothing, a withdrawal adds a row and becomes current', async () => {
      await post('/v1/customers', { external_id: 'k-1', email: 'k1@example.com' });
      const granted = await post('/v1/customers/k-1/consents', {
        channel: 'email',
        status: 'granted',
        source: 'checkout',
      });
      expect(granted.status).toBe(201);
      expect(await history('k-1')).toHaveLength(1);

      const resent = await post('/v1/customers/k-1/consents', {
        channel: 'email',
        status: 'granted',
        source: 'checkout',
      });
      expect(resent.status).toBe(200);
      expect(resent.body.status).toBe('unchanged');
      expect(await history('k-1')).toHaveLength(1);

      const withdrawn = await post('/v1/customers/k-1/consents', {
        channel: 'email',
        status: 'withdrawn',
        source: 'unsubscribe link',
      });
      expect(withdrawn.status).toBe(201);
      expect(await history('k-1')).toHaveLength(2);
      expect(withdrawn.body.current).toEqual([
        expect.objectContaining({ channel: 'email', status: 'withdrawn' }),
      ]);
      expect((await get('/v1/customers/k-1')).consents).toEqual([
        expect.objectContaining({ channel: 'email', status: 'withdrawn' }),
      ]);
    });

    it('keeps a dated consent once however often it is sent, and a late older one does not become current', async () => {
      const dated = { channel: 'sms', status: 'granted', occurred_at: T(5) };
      await post('/v1/customers', { external_id: 'k-2', consents: [dated] });
      const again = await post('/v1/customers/batch', { data: [{ external_id: 'k-2', consents: [dated] }] });
      expect(again.body.results[0].status).toBe('unchanged');
      expect(await post('/v1/consents', { customer_id: 'k-2', ...dated })).toMatchObject({ status: 200 });
      expect(await history('k-2')).toHaveLength(1);

      // A withdrawal dated before the grant arrives late: recorded, but the grant stays current.
      const late = await post('/v1/consents', {
        customer_id: 'k-2',
        channel: 'sms',
        status: 'withdrawn',
        occurred_at: T(4),
      });
      expect(late.status).toBe(201);
      expect(await history('k-2')).toHaveLength(2);
      const current = (await get('/v1/customers/k-2/consents')).current;
      expect(current).toEqual([expect.objectContaining({ channel: 'sms', status: 'granted' })]);
    });

    it('the database refuses to change a recorded consent', async () => {
      await expect(
        getDb().query(`update consents set status = 'withdrawn' where store_id = $1`, [storeId]),
      ).rejects.toThrow(/append-only/);
      const statuses = await rows<{ status: string }>(
        'select status from consents where store_id = $1 and channel = $2',
        [storeId, 'sms'],
      );
      expect(statuses.map((s) => s.status).sort()).toEqual(['granted', 'withdrawn']);
    });
  });

  describe('orders and refunds', () => {
    const order = (extra: Record<string, unknown> = {}) => ({
      external_id: 'o-1',
      customer: { external_id: 'oc-1' },
      placed_at: T(1),
      currency: 'EUR',
      lines: [
        { sku: 'A', quantity: 1, unit_price_minor: 1000 },
        { sku: 'B', quantity: 2, unit_price_minor: 500 },
        { sku: 'C', quantity: 1, unit_price_minor: 1000 },
      ],
      updated_at: T(1),
      ...extra,
    });
    const lineRows = async (orderId: string) =>
      rows<{ line_no: number; sku: string }>(
        'select line_no, sku from order_lines where store_id = $1 and order_id = $2 order by line_no',
        [storeId, orderId],
      );

    it('replaces the lines of a changed order and keeps them for an unchanged one', async () => {
      const created = await post('/v1/orders', order());
      expect(created.status).toBe(201);
      expect(created.body.total_minor).toBe(3000);
      expect(await lineRows(created.body.id)).toHaveLength(3);

      const same = await post('/v1/orders', order());
      expect(same.status).toBe(200);
      expect(same.body.updated_at).toBe(created.body.updated_at);

      const changed = await post(
        '/v1/orders',
        order({ lines: [{ sku: 'D', quantity: 3, unit_price_minor: 1000 }], updated_at: T(2) }),
      );
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id: created.body.id, subtotal_minor: 3000, total_minor: 3000 });
      expect(await lineRows(created.body.id)).toEqual([{ line_no: 1, sku: 'D' }]);

      const stale = await post('/v1/orders', order({ updated_at: T(1, 12) }));
      expect(stale.status).toBe(200);
      expect(await lineRows(created.body.id)).toEqual([{ line_no: 1, sku: 'D' }]);
    });

    it('keeps refunded_minor and the refund status of an order in step with its refunds', async () => {
      const refund = (ext: string, amount: number) => ({
        external_id: ext,
        order_external_id: 'o-1',
        refunded_at: T(3),
        currency: 'EUR',
        amount_minor: amount,
      });
      expect((await post('/v1/refunds', refund('r-1', 1000))).status).toBe(201);
      expect(await get('/v1/orders/o-1')).toMatchObject({
        refunded_minor: 1000,
        status: 'partially_refunded',
      });

      expect((await post('/v1/refunds', refund('r-2', 2000))).status).toBe(201);
      expect(await get('/v1/orders/o-1')).toMatchObject({ refunded_minor: 3000, status: 'refunded' });

      const resent = await post('/v1/refunds/batch', { data: [refund('r-2', 2000)] });
      expect(resent.body).toMatchObject({ unchanged: 1 });
      expect(await get('/v1/orders/o-1')).toMatchObject({ refunded_minor: 3000, status: 'refunded' });

      // A corrected refund (same external id, lower amount) is recounted.
      expect((await post('/v1/refunds', refund('r-2', 500))).status).toBe(200);
      expect(await get('/v1/orders/o-1')).toMatchObject({
        refunded_minor: 1500,
        status: 'partially_refunded',
      });
      expect((await get('/v1/orders/o-1/refunds')).data).toHaveLength(2);
      // A refund is found by the store's id and by ours.
      const byExternal = await get('/v1/refunds/r-2');
      expect(byExternal).toMatchObject({ external_id: 'r-2', amount_minor: 500, currency: 'EUR' });
      expect(await get(`/v1/refunds/${byExternal.id}`)).toEqual(byExternal);
      const customer = await get('/v1/customers/oc-1');
      expect(customer.metrics).toMatchObject({ refunded_minor: 1500, net_revenue_minor: 1500 });
    });

    it('keeps the refund status when the store later updates the refunded order', async () => {
      const newer = order({
        lines: [{ sku: 'D', quantity: 3, unit_price_minor: 1000 }],
        shipping_minor: 490,
        updated_at: T(4),
      });
      const res = await post('/v1/orders', newer);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        total_minor: 3490,
        refunded_minor: 1500,
        status: 'partially_refunded',
      });
    });
  });

  describe('the customer 360 view', () => {
    it("lists the customer's 50 most recently placed orders, newest first, and counts all of them", async () => {
      const day = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString();
      const data = Array.from({ length: 55 }, (_, i) => ({
        external_id: `v-${i}`,
        customer: { external_id: 'v-cust' },
        placed_at: day(i),
        currency: 'EUR',
        lines: [{ sku: 'A', quantity: 1, unit_price_minor: 100 }],
      }));
      expect((await post('/v1/orders/batch', { data })).body.created).toBe(55);
      const view = await get('/v1/customers/v-cust');
      expect(view.metrics).toMatchObject({ orders_count: 55, net_revenue_minor: 5500 });
      expect(view.orders).toHaveLength(50);
      expect(view.orders.map((o: Body) => o.external_id)).toEqual(
        Array.from({ length: 50 }, (_, i) => `v-${54 - i}`),
      );
      expect(view.orders[0].lines).toHaveLength(1);
    });
  });

  describe('carts', () => {
    const cart = (updatedAt: string, lines: number, extra: Record<string, unknown> = {}) => ({
      external_id: 'cart-1',
      customer: { external_id: 'cc-1', email: 'cart@example.com' },
      currency: 'EUR',
      lines: Array.from({ length: lines }, (_, i) => ({ sku: `S${i}`, quantity: 1, unit_price_minor: 1000 })),
      updated_at: updatedAt,
      ...extra,
    });

    it('a newer cart wins, an older one arriving late is ignored', async () => {
      expect((await post('/v1/carts', cart(T(2), 2))).status).toBe(201);
      const older = await post('/v1/carts/batch', { data: [cart(T(1), 1)] });
      expect(older.body.results[0].status).toBe('unchanged');
      expect(await get('/v1/carts/cart-1')).toMatchObject({ subtotal_minor: 2000, lines: [{}, {}] });
      const newer = await post('/v1/carts', cart(T(3), 3));
      expect(newer.status).toBe(200);
      expect(newer.body).toMatchObject({
        subtotal_minor: 3000,
        last_activity_at: new Date(T(3)).toISOString(),
      });
      expect(newer.body.lines).toHaveLength(3);
    });

    it('links the recovered order and marks the cart converted', async () => {
      const placed = await post('/v1/orders', {
        external_id: 'o-cart',
        customer: { external_id: 'cc-1' },
        placed_at: T(4),
        currency: 'EUR',
        lines: [{ sku: 'S0', quantity: 3, unit_price_minor: 1000 }],
      });
      const res = await post('/v1/carts', cart(T(4), 3, { recovered_order_external_id: 'o-cart' }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'converted', recovered_order_id: placed.body.id });
      // A stale "open" version cannot undo the conversion.
      await post('/v1/carts', cart(T(3, 12), 1, { status: 'open' }));
      expect(await get('/v1/carts/cart-1')).toMatchObject({
        status: 'converted',
        recovered_order_id: placed.body.id,
      });
      const converted = await get('/v1/carts?status=converted');
      expect(converted.data.map((c: Body) => c.external_id)).toEqual(['cart-1']);
    });
  });

  describe('events', () => {
    it('dedupes by external_id, within a batch and across requests; events without one are all kept', async () => {
      const ev = (ext: string | null) => ({
        ...(ext ? { external_id: ext } : {}),
        type: 'product_view',
        customer: { external_id: 'ec-1' },
        occurred_at: T(6),
        payload: { sku: 'A' },
      });
      const first = await post('/v1/events', ev('e-1'));
      expect(first.status).toBe(201);
      const again = await post('/v1/events', ev('e-1'));
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      // An event is found by the store's id and by ours.
      expect(await get('/v1/events/e-1')).toMatchObject({ id: first.body.id, external_id: 'e-1' });
      expect(await get(`/v1/events/${first.body.id}`)).toMatchObject({
        id: first.body.id,
        external_id: 'e-1',
      });
      const batch = await post('/v1/events/batch', { data: [ev('e-1'), ev('e-2'), ev('e-2')] });
      expect(batch.body).toMatchObject({ created: 1, unchanged: 1 });
      expect(batch.body.results.map((r: Body) => r.status)).toEqual(['unchanged', 'created', 'unchanged']);
      expect(batch.body.results[2].id).toBe(batch.body.results[1].id);
      await post('/v1/events', ev(null));
      await post('/v1/events', ev(null));
      const counts = await rows<{ ext: string | null; n: number }>(
        `select external_id as ext, count(*)::int as n from events where store_id = $1 group by external_id order by external_id`,
        [storeId],
      );
      expect(counts).toEqual([
        { ext: 'e-1', n: 1 },
        { ext: 'e-2', n: 1 },
        { ext: null, n: 2 },
      ]);
    });
  });

  describe('pagination', () => {
    let pageKey: string;
    beforeAll(async () => {
      ({ key: pageKey } = await storeWithKey(getDb(), 'upserts-pages'));
    });

    const walk = async (path: string, limit: number) => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 50; guard++) {
        const sep = path.includes('?') ? '&' : '?';
        const url: string = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await t.call('GET', url, undefined, { key: pageKey });
        expect(res.status, url).toBe(200);
        sizes.push(res.body.data.length);
        seen.push(...res.body.data.map((r: Body) => r.external_id));
        cursor = res.body.next_cursor;
        if (!cursor) return { seen, sizes };
      }
      throw new Error('pagination did not end');
    };

    it('walks 30 rows of each resource with limit=7 exactly once, in pages of 7,7,7,7,2', async () => {
      const n = 30;
      const ext = (p: string, i: number) => `${p}-${String(i).padStart(2, '0')}`;
      // Customers in one batch share one updated_at: the id breaks the ties.
      await post(
        '/v1/customers/batch',
        { data: Array.from({ length: n }, (_, i) => ({ external_id: ext('pc', i) })) },
        pageKey,
      );
      // Orders in three batches, products one by one: distinct and shared timestamps mixed.
      for (let b = 0; b < 3; b++) {
        const data = Array.from({ length: 10 }, (_, j) => ({
          external_id: ext('po', b * 10 + j),
          placed_at: T(1),
          currency: 'EUR',
          lines: [{ sku: 'A', quantity: 1, unit_price_minor: 100 }],
        }));
        await post('/v1/orders/batch', { data }, pageKey);
      }
      for (let i = 0; i < n; i++)
        await post('/v1/products', { external_id: ext('pp', i), title: `P${i}` }, pageKey);
      await post(
        '/v1/carts/batch',
        {
          data: Array.from({ length: n }, (_, i) => ({
            external_id: ext('pk', i),
            currency: 'EUR',
            lines: [],
            updated_at: T(2),
          })),
        },
        pageKey,
      );
      await post(
        '/v1/events/batch',
        {
          data: Array.from({ length: n }, (_, i) => ({
            external_id: ext('pe', i),
            type: 'search',
            occurred_at: T(2),
          })),
        },
        pageKey,
      );

      for (const [path, prefix] of [
        ['/v1/customers', 'pc'],
        ['/v1/orders', 'po'],
        ['/v1/products', 'pp'],
        ['/v1/carts', 'pk'],
        ['/v1/events', 'pe'],
      ]) {
        const { seen, sizes } = await walk(path, 7);
        expect(sizes, path).toEqual([7, 7, 7, 7, 2]);
        expect([...seen].sort(), path).toEqual(Array.from({ length: n }, (_, i) => ext(prefix, i)));
      }
    });

    it('updated_since returns what changed at or after that time, and pages through it', async () => {
      await sleep(5);
      const [{ since }] = await rows<{ since: string }>(
        `select to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as since`,
      );
      await sleep(5);
      const changed = ['pc-03', 'pc-17', 'pc-29'];
      for (const ext of changed) {
        expect(
          (await post('/v1/customers', { external_id: ext, first_name: 'changed' }, pageKey)).status,
        ).toBe(200);
      }
      // An unchanged re-send does not count as a change.
      await post('/v1/customers', { external_id: 'pc-05' }, pageKey);
      const { seen, sizes } = await walk(`/v1/customers?updated_since=${encodeURIComponent(since)}`, 2);
      expect(seen).toEqual(changed);
      expect(sizes).toEqual([2, 1]);
      // The whole list still holds each customer once, the changed ones last.
      const all = await walk('/v1/customers', 7);
      expect(all.seen).toHaveLength(30);
      expect(all.seen.slice(-3)).toEqual(changed);
    });
  });
});
