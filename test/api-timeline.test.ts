import { afterAll, beforeAll, expect, it } from 'vitest';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { createStaffUser } from '../src/staff/repository.ts';
import { createStore } from '../src/stores/repository.ts';
import { describeEachDb } from './db.ts';
import { staffHeaders, type TestApp, testApp } from './helpers.ts';

/**
 * The customer 360 page's timeline on both databases: orders, loyalty entries, personal codes and
 * calls in one list, newest first, paged with `before`; roles see only what they may, and nothing
 * of another store leaks in.
 */

const PASSWORD = 'correct horse battery';
const ELENA = 'elena@timeline.example';
const MEHMET = 'mehmet@timeline.example';

describeEachDb('dashboard: the customer timeline', (getDb) => {
  let t: TestApp;
  let storeId: string;
  const ids = createIdGenerator();
  const anna = ids('customer');

  async function as(email: string) {
    const headers = await staffHeaders(t, email, PASSWORD);
    return { get: (url: string) => t.call('GET', url, undefined, { headers }) };
  }

  /** A customer with one of each kind, at fixed times, in `store`. */
  async function seed(store: string, customer: string, manager: string, tag: string) {
    const db = getDb();
    await db.query(
      `insert into customers (store_id, id, email, account_manager, created_at, content_hash)
       values ($1, $2, $3, $4, '2026-01-01T00:00:00Z', 'h')`,
      [store, customer, `${customer}@example.com`, manager],
    );
    await db.query(
      `insert into orders (store_id, id, external_id, customer_id, placed_at, currency, subtotal_minor, total_minor,
         refunded_minor, status, line_count, content_hash)
       values ($1, $2, $3, $4, '2026-03-01T10:00:00Z', 'EUR', 12000, 12000, 2000, 'partially_refunded', 2, 'h')`,
      [store, `ord_${tag}`, `1042${tag}`, customer],
    );
    const entry = {
      key: `earn:${tag}`,
      operationKey: `op:${tag}`,
      customerId: customer,
      at: Date.parse('2026-03-01T10:00:00Z'),
      reason: `Order #1042${tag}`,
      source: { type: 'order', orderId: `1042${tag}` },
      orderId: `1042${tag}`,
      kind: 'earn',
      points: 120,
      availableAt: Date.parse('2026-03-15T10:00:00Z'),
      expiresAt: null,
    };
    await db.query(
      `insert into loyalty_entries (store_id, customer_id, key, operation_key, kind, points, order_id, at, entry)
       values ($1, $2, $3, $4, 'earn', 120, $5, '2026-03-01T10:00:00Z', $6)`,
      [store, customer, entry.key, entry.operationKey, entry.orderId, JSON.stringify(entry)],
    );
    await db.query(
      `insert into promotions (store_id, id, config) values ($1, 'birthday', '{"name": "Birthday gift"}')
       on conflict do nothing`,
      [store],
    );
    await db.query(
      `insert into promotion_codes (store_id, code, promotion_id, customer_id, expires_at, created_at)
       values ($1, $2, 'birthday', $3, '2026-05-01T00:00:00Z', '2026-03-05T09:00:00Z')`,
      [store, `GIFT-${tag}`, customer],
    );
    await db.query(
      `insert into call_outcomes (store_id, id, customer_id, outcome, note, called_by, source, called_at)
       values ($1, $2, $3, 'reached', 'wants the blue one', $4, 'dashboard', '2026-03-10T15:00:00Z')`,
      [store, `cal_${tag}`, customer, manager],
    );
  }

  beforeAll(async () => {
    const db = getDb();
    storeId = (await createStore(db, ids, { slug: 'timeline' })).id;
    const other = (await createStore(db, ids, { slug: 'timeline-other' })).id;
    for (const [email, role] of [
      ['owner@timeline.example', 'owner'],
      ['marketer@timeline.example', 'marketer'],
      [ELENA, 'account_manager'],
      [MEHMET, 'account_manager'],
    ] as const) {
      await createStaffUser(db, ids, storeId, { email, role, password: PASSWORD });
    }
    await seed(storeId, anna, ELENA, 'A');
    // The same customer id in another store: none of it may show.
    await seed(other, anna, ELENA, 'X');
    t = await testApp(db);
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('calls a code a gift card only when its promotion is a gift card, not for a balance stored on another code', async () => {
    const db = getDb();
    const ben = ids('customer');
    await db.query(
      `insert into customers (store_id, id, email, created_at, content_hash) values ($1, $2, 'ben@example.com', '2026-01-01T00:00:00Z', 'h')`,
      [storeId, ben],
    );
    await db.query(
      `insert into promotions (store_id, id, config)
       values ($1, 'cards', '{"name": "Gift cards", "actions": [{"code": "gift_card", "args": {}}]}')`,
      [storeId],
    );
    await db.query(
      `insert into promotion_codes (store_id, code, promotion_id, customer_id, balance_minor, created_at)
       values ($1, 'CARD-B', 'cards', $2, 500, '2026-03-02T00:00:00Z'), ($1, 'OLD-B', 'birthday', $2, 300, '2026-03-01T00:00:00Z')`,
      [storeId, ben],
    );
    const res = await (await as('owner@timeline.example')).get(`/app/api/customers/${ben}/timeline`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(
      res.body.data.map((i: { id: string; detail: { gift_card: boolean } }) => [i.id, i.detail.gift_card]),
    ).toEqual([
      ['CARD-B', true],
      ['OLD-B', false],
    ]);
  });

  it('lists orders, points, rewards and calls newest first, with a stable tiebreak, for the owner', async () => {
    const owner = await as('owner@timeline.example');
    const res = await owner.get(`/app/api/customers/${anna}/timeline`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.map((i: { kind: string; id: string }) => `${i.kind}:${i.id}`)).toEqual([
      'call:cal_A',
      'reward:GIFT-A',
      // The order and its points share a time: kind breaks the tie (descending), every time.
      'points:earn:A',
      'order:ord_A',
    ]);
    expect(res.body.next_before).toBeNull();
    const [call, reward, points, order] = res.body.data;
    expect(call).toMatchObject({
      at: '2026-03-10T15:00:00.000Z',
      detail: { outcome: 'reached', note: 'wants the blue one', called_by: ELENA },
    });
    expect(reward.detail).toMatchObject({
      gift_card: false,
      code: 'GIFT-A',
      promotion_name: 'Birthday gift',
      redeemed_at: null,
    });
    expect(points.detail).toMatchObject({
      entry_kind: 'earn',
      points: 120,
      order_id: '1042A',
      reason: 'Order #1042A',
    });
    expect(order.detail).toMatchObject({
      external_id: '1042A',
      total_minor: 12000,
      refunded_minor: 2000,
      status: 'partially_refunded',
    });
  });

  it('pages with before: each item once, in the same order', async () => {
    const marketer = await as('marketer@timeline.example');
    const seen: string[] = [];
    let before: string | null = null;
    for (let page = 0; page < 5; page++) {
      const url: string = `/app/api/customers/${anna}/timeline?limit=1${before ? `&before=${before}` : ''}`;
      const res = await marketer.get(url);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      seen.push(...res.body.data.map((i: { kind: string }) => i.kind));
      before = res.body.next_before;
      if (!before) break;
    }
    expect(seen).toEqual(['call', 'reward', 'points', 'order']);
    expect((await marketer.get(`/app/api/customers/${anna}/timeline?before=nonsense`)).status).toBe(422);
  });

  it("leaves out points and codes for account managers, and refuses another manager's customer", async () => {
    const elena = await as(ELENA);
    const res = await elena.get(`/app/api/customers/${anna}/timeline`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.map((i: { kind: string }) => i.kind)).toEqual(['call', 'order']);
    expect(res.body.kinds).toEqual(['order', 'call']);
    const mehmet = await as(MEHMET);
    expect((await mehmet.get(`/app/api/customers/${anna}/timeline`)).status).toBe(403);
    expect((await mehmet.get(`/app/api/customers/${ids('customer')}/timeline`)).status).toBe(404);
  });
});
