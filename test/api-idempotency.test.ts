import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

const order = (ext: string, extra: Record<string, unknown> = {}) => ({
  external_id: ext,
  customer: { external_id: `c-${ext}`, email: `${ext}@example.com` },
  placed_at: '2026-02-01T09:00:00Z',
  currency: 'EUR',
  lines: [{ sku: 'MUG-1', quantity: 2, unit_price_minor: 1250 }],
  ...extra,
});

/** The parsed JSON body, typed as loosely as the helper's. */
type Body = Awaited<ReturnType<TestApp['call']>>['body'];

interface Sent {
  status: number;
  body: Body;
  replayed: boolean;
}

describeEachDb('idempotency keys', (getDb, kind) => {
  let t: TestApp;
  let key: string;
  let storeA: string;
  let keyB: string;
  let storeB: string;
  let baseUrl: string;

  beforeAll(async () => {
    t = await testApp(getDb());
    ({ key, storeId: storeA } = await storeWithKey(getDb(), 'idem-a'));
    ({ key: keyB, storeId: storeB } = await storeWithKey(getDb(), 'idem-b'));
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t.app.close();
  });

  const post = async (
    url: string,
    body: unknown,
    idemKey: string | undefined,
    secret = key,
  ): Promise<Sent> => {
    const headers: Record<string, string> = idemKey ? { 'idempotency-key': idemKey } : {};
    const res = await t.call('POST', url, body, { key: secret, headers });
    return { status: res.status, body: res.body, replayed: res.headers['idempotent-replayed'] === 'true' };
  };

  /** Over a real socket, so requests overlap across the connection pool instead of queueing in inject. */
  const fetchPost = async (url: string, body: unknown, idemKey?: string): Promise<Sent> => {
    const res = await fetch(baseUrl + url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        ...(idemKey ? { 'idempotency-key': idemKey } : {}),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: await res.json(),
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  };

  const count = async (sql: string, params: unknown[]) =>
    Number((await getDb().query<{ n: number }>(`select count(*)::int as n from ${sql}`, params)).rows[0].n);
  const ordersWithExt = (storeId: string, ext: string) =>
    count('orders where store_id = $1 and external_id = $2', [storeId, ext]);

  it('replays the stored response for the same key and body, marked idempotent-replayed', async () => {
    const first = await post('/v1/orders', order('i-1'), 'k-replay');
    expect(first.status).toBe(201);
    expect(first.replayed).toBe(false);
    const again = await post('/v1/orders', order('i-1'), 'k-replay');
    expect(again.status).toBe(201);
    expect(again.replayed).toBe(true);
    expect(again.body).toEqual(first.body);
    // Without the key the same body is a plain upsert: 200, unchanged.
    const plain = await post('/v1/orders', order('i-1'), undefined);
    expect(plain.status).toBe(200);
    expect(plain.replayed).toBe(false);
    expect(await ordersWithExt(storeA, 'i-1')).toBe(1);
  });

  it('treats the same body with keys in another order as the same request', async () => {
    const body = order('i-order');
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const first = await post('/v1/orders', body, 'k-keyorder');
    const again = await post('/v1/orders', reordered, 'k-keyorder');
    expect(again.status).toBe(first.status);
    expect(again.replayed).toBe(true);
  });

  it('replays batch responses too', async () => {
    const batch = { data: [order('i-b1'), order('i-b2')] };
    const first = await post('/v1/orders/batch', batch, 'k-batch');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    const again = await post('/v1/orders/batch', batch, 'k-batch');
    expect(again.replayed).toBe(true);
    expect(again.body).toEqual(first.body);
  });

  it('refuses the same key with a different body (422 IDEMPOTENCY_KEY_REUSED) and writes nothing', async () => {
    expect((await post('/v1/orders', order('i-2'), 'k-reuse')).status).toBe(201);
    const other = await post('/v1/orders', order('i-3'), 'k-reuse');
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.body.error.details).toEqual([
      { path: 'headers.idempotency-key', message: expect.any(String) },
    ]);
    expect(await ordersWithExt(storeA, 'i-3')).toBe(0);
    expect(await count('customers where store_id = $1 and external_id = $2', [storeA, 'c-i-3'])).toBe(0);
    // The same key on another route is another request too.
    const cust = await post('/v1/customers', { external_id: 'c-i-2' }, 'k-reuse');
    expect(cust.status).toBe(422);
    expect(cust.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('does not store a request refused by validation: the key stays free', async () => {
    const bad = await post('/v1/orders', order('i-4', { currency: 'EURO' }), 'k-invalid-first');
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const good = await post('/v1/orders', order('i-4'), 'k-invalid-first');
    expect(good.status).toBe(201);
    expect(good.replayed).toBe(false);
  });

  it('stores an error the handler returned (4xx) and replays it', async () => {
    const refund = {
      external_id: 'r-none',
      order_external_id: 'no-such-order',
      refunded_at: '2026-02-02T00:00:00Z',
      currency: 'EUR',
      amount_minor: 100,
    };
    const first = await post('/v1/refunds', refund, 'k-4xx');
    expect(first.status).toBe(422);
    const again = await post('/v1/refunds', refund, 'k-4xx');
    expect(again.status).toBe(422);
    expect(again.replayed).toBe(true);
    expect(again.body).toEqual(first.body);
  });

  it('does not store a 5xx: the same key can be retried once the fault is gone', async () => {
    // A real database fault (not a mock): a trigger refusing one order, dropped before the retry.
    await getDb().exec(`
      create function idem_test_fault() returns trigger language plpgsql as $$
      begin raise exception 'simulated outage'; end $$;
      create trigger idem_test_fault before insert on orders for each row
        when (new.external_id = 'i-5xx') execute function idem_test_fault();`);
    try {
      const failed = await post('/v1/orders', order('i-5xx'), 'k-5xx');
      expect(failed.status).toBe(500);
      expect(failed.body.error.code).toBe('INTERNAL');
      expect(await count('idempotency_keys where store_id = $1 and key = $2', [storeA, 'k-5xx'])).toBe(0);
    } finally {
      await getDb().exec('drop trigger idem_test_fault on orders; drop function idem_test_fault();');
    }
    const retried = await post('/v1/orders', order('i-5xx'), 'k-5xx');
    expect(retried.status).toBe(201);
    expect(retried.replayed).toBe(false);
    expect(await ordersWithExt(storeA, 'i-5xx')).toBe(1);
  });

  it('scopes keys per store: the same key in store B is independent', async () => {
    expect((await post('/v1/orders', order('i-6'), 'k-shared')).status).toBe(201);
    const inB = await post('/v1/orders', order('i-6-b'), 'k-shared', keyB);
    expect(inB.status).toBe(201);
    expect(inB.replayed).toBe(false);
    expect(await ordersWithExt(storeB, 'i-6-b')).toBe(1);
    expect(await ordersWithExt(storeA, 'i-6-b')).toBe(0);
    // And B's use did not disturb A's replay.
    const replayA = await post('/v1/orders', order('i-6'), 'k-shared');
    expect(replayA.replayed).toBe(true);
    expect(replayA.body.external_id).toBe('i-6');
  });

  it('forgets keys after 24 hours', async () => {
    expect((await post('/v1/orders', order('i-7'), 'k-old')).status).toBe(201);
    await getDb().query(
      `update idempotency_keys set created_at = now() - interval '25 hours' where store_id = $1 and key = $2`,
      [storeA, 'k-old'],
    );
    // A different body is now a new request, not a reuse.
    const fresh = await post('/v1/orders', order('i-8'), 'k-old');
    expect(fresh.status).toBe(201);
    expect(fresh.replayed).toBe(false);
    expect(await ordersWithExt(storeA, 'i-8')).toBe(1);
    // The key now remembers the new request.
    const replay = await post('/v1/orders', order('i-8'), 'k-old');
    expect(replay.replayed).toBe(true);
    const reuse = await post('/v1/orders', order('i-7'), 'k-old');
    expect(reuse.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('rejects an Idempotency-Key longer than 255 characters', async () => {
    const res = await post('/v1/orders', order('i-long'), 'k'.repeat(256));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details[0].path).toBe('headers.idempotency-key');
    const batch = await post('/v1/orders/batch', { data: [order('i-long')] }, 'k'.repeat(256));
    expect(batch.status).toBe(422);
    expect(batch.body.error.details[0].path).toBe('headers.idempotency-key');
    expect(await ordersWithExt(storeA, 'i-long')).toBe(0);
  });

  it('50 concurrent requests with one new key have one effect: one 201 body, the rest replays or 409', async () => {
    const body = order('i-race', { customer: { external_id: 'c-race', email: 'race@example.com' } });
    const send =
      kind === 'postgres'
        ? () => fetchPost('/v1/orders', body, 'k-race')
        : () => post('/v1/orders', body, 'k-race');
    const all = await Promise.all(Array.from({ length: 50 }, send));
    const statuses = all.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const created = all.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.filter((r) => !r.replayed)).toHaveLength(1);
    for (const r of created) expect(r.body).toEqual(created[0].body);
    for (const r of all.filter((x) => x.status === 409)) {
      expect(r.body.error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    }
    expect(await ordersWithExt(storeA, 'i-race')).toBe(1);
    expect(await count('customers where store_id = $1 and external_id = $2', [storeA, 'c-race'])).toBe(1);
    // Once settled, a retry replays.
    const after = await post('/v1/orders', body, 'k-race');
    expect(after).toMatchObject({ status: 201, replayed: true });
    expect(after.body).toEqual(created[0].body);
  });

  it('20 concurrent requests for one new order without a key: one order, all 200/201', async () => {
    const body = order('i-nokey', { customer: { external_id: 'c-nokey', email: 'nk@example.com' } });
    const send =
      kind === 'postgres' ? () => fetchPost('/v1/orders', body) : () => post('/v1/orders', body, undefined);
    const all = await Promise.all(Array.from({ length: 20 }, send));
    expect(all.map((r) => r.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
    expect(all.filter((r) => r.status === 201)).toHaveLength(1);
    const ids = new Set(all.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(await ordersWithExt(storeA, 'i-nokey')).toBe(1);
    expect(await count('customers where store_id = $1 and external_id = $2', [storeA, 'c-nokey'])).toBe(1);
    const [id] = ids;
    expect(await count('order_lines where store_id = $1 and order_id = $2', [storeA, id])).toBe(1);
  });
});
