import { afterAll, beforeAll, expect, it } from 'vitest';
import { CommitRefused, writeCommit } from '../src/checkout/commit-write.ts';
import { cancelCheckout } from '../src/checkout/repository.ts';
import type { Queryable } from '../src/db/client.ts';
import type { LedgerDecision } from '../src/loyalty/index.ts';
import type { CheckoutEffect } from '../src/promotions/index.ts';
import { grantQuotas } from '../src/promotions/repository.ts';
import { describeEachDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

/**
 * The commit statement on its own: a failed guard names the guard that failed (a refusal of a
 * promotion's limit is not taken for a changed ledger, which would re-plan the order without the
 * promotion instead of answering 409), and nothing the statement wrote before it stays.
 */
describeEachDb('checkout commit statement', (getDb) => {
  let t: TestApp;
  let key: string;
  let storeId: string;
  let customerId: string;
  const call = (method: string, url: string, body?: unknown) => t.call(method, url, body, { key });

  beforeAll(async () => {
    t = await testApp(getDb());
    ({ key, storeId } = await storeWithKey(getDb(), 'commit-write'));
    customerId = (await call('POST', '/v1/customers', { external_id: 'w-cust' })).body.id;
    await call('PUT', '/v1/loyalty/program', { currency: 'EUR' });
    await call('POST', '/v1/promotions', {
      id: 'once',
      name: 'Once',
      trigger: { type: 'automatic' },
      limits: { total_uses: 1 },
      actions: [{ code: 'amount_off', args: { amount_minor: 100 } }],
    });
  });
  afterAll(async () => {
    await t?.app.close();
  });

  const now = Date.now();
  const use: CheckoutEffect = {
    type: 'record_use',
    promotionId: 'once',
    customerId: '',
    code: null,
    discountMinor: 100,
    maxUses: 1,
    maxUsesPerCustomer: null,
    budgetMinor: null,
  };
  const earning = (order: string): LedgerDecision => ({
    type: 'append',
    entries: [
      {
        key: `earn:${order}`,
        operationKey: `earn:${order}`,
        customerId,
        kind: 'earn',
        points: 10,
        at: now,
        reason: 'Order',
        source: { type: 'order', orderId: order },
        orderId: order,
        availableAt: now,
        expiresAt: null,
      },
    ],
    lotChanges: [],
    events: [],
  });
  const write = (order: string, q: Queryable = getDb()) =>
    writeCommit(q, {
      storeId,
      order,
      customerId,
      effects: [{ ...use, customerId }],
      shown: { order },
      now,
      ledger: earning(order),
    });
  const count = async (sql: string) => Number((await getDb().query<{ n: number }>(sql, [storeId])).rows[0].n);

  it('writes the commit, its points and the use from a quota; without one the next is refused naming the promotion, not the ledger, and the limit refuses a quota', async () => {
    const grant = (q: Queryable, reclaim: boolean) =>
      grantQuotas(q, storeId, [{ id: 'once', discountMinor: 100 }], reclaim);
    // The quota is granted to the connection's shard: grant and write on one connection.
    const first = await getDb().tx(async (q) => {
      expect(await grant(q, false)).toEqual({ limited: [], changed: [], reclaim: [] });
      return write('w-1', q);
    });
    expect(first).toBe(true);
    const refused = await write('w-2').then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(CommitRefused);
    expect((refused as CommitRefused).refusal).toEqual({
      codes: [],
      gift: [],
      ledger: false,
      changed: [],
      promotions: [],
      quota: ['once'],
      customer: [],
    });
    // The row has handed out its one use: a grant must take the shards' quotas back, and then has none.
    expect(await getDb().tx((q) => grant(q, false))).toEqual({ limited: [], changed: [], reclaim: ['once'] });
    expect(await getDb().tx((q) => grant(q, true))).toEqual({ limited: ['once'], changed: [], reclaim: [] });
    // The refused statement left nothing: no commit row, no entry, no lot, no second use.
    expect(
      await count(
        `select count(*)::int as n from checkout_commits where store_id = $1 and order_external_id = 'w-2'`,
      ),
    ).toBe(0);
    expect(
      await count(`select count(*)::int as n from loyalty_entries where store_id = $1 and order_id = 'w-2'`),
    ).toBe(0);
    expect(
      await count(`select count(*)::int as n from loyalty_lots where store_id = $1 and lot = 'earn:w-2'`),
    ).toBe(0);
    // The one use: counted in the shard, reserved on the row.
    expect(
      await count(`select uses + reserved_uses as n from promotions where store_id = $1 and id = 'once'`),
    ).toBe(1);
    expect(
      await count(
        `select sum((uses->'once'->>0)::int)::int as n from promotion_use_counts where store_id = $1`,
      ),
    ).toBe(1);
  });

  it('names the ledger when an entry of the plan was written meanwhile', async () => {
    const refused = await write('w-1').then(
      () => null,
      (err: unknown) => err,
    );
    // The order's commit row exists: a duplicate, nothing written and nothing refused.
    expect(refused).toBeNull();
    await getDb().query(`update promotions set max_uses = null where store_id = $1 and id = 'once'`, [
      storeId,
    ]);
    // A new order whose earning entry exists already (as if ingest had written it first).
    await getDb().query(
      `insert into loyalty_entries (store_id, customer_id, key, operation_key, kind, points, order_id, at, entry)
       select store_id, customer_id, 'earn:w-3', 'earn:w-3', kind, points, 'w-3', at,
         jsonb_set(jsonb_set(entry, '{key}', '"earn:w-3"'), '{operationKey}', '"earn:w-3"')
       from loyalty_entries where store_id = $1 and key = 'earn:w-1'`,
      [storeId],
    );
    const stale = await writeCommit(getDb(), {
      storeId,
      order: 'w-3',
      customerId,
      effects: [{ ...use, customerId, maxUses: null }],
      shown: {},
      now,
      ledger: earning('w-3'),
    }).then(
      () => null,
      (err: unknown) => err,
    );
    expect((stale as CommitRefused).refusal).toMatchObject({ ledger: true, promotions: [] });
  });

  it('cancel gives each discount back where it was counted: at most what a shard spent, the rest from the row, and shrinks the reservation as much', async () => {
    await call('POST', '/v1/promotions', {
      id: 'budgeted',
      name: 'Budgeted',
      trigger: { type: 'automatic' },
      limits: { budget_minor: 10_000 },
      actions: [{ code: 'amount_off', args: { amount_minor: 100 } }],
    });
    // Three orders (500, 700, 300) counted in two shards whose amounts no longer match the orders
    // one by one, as after other cancels; the row holds 1,000 an edit folded onto it earlier.
    const db = getDb();
    await db.query(
      `insert into promotion_use_counts (store_id, shard, uses) values
         ($1, 0, '{"budgeted": [2, 1000]}'), ($1, 1, '{"budgeted": [1, 500]}')
       on conflict (store_id, shard) do update set uses = promotion_use_counts.uses || excluded.uses`,
      [storeId],
    );
    await db.query(
      `update promotions set uses = 1, budget_spent_minor = 1000, reserved_uses = 3, reserved_minor = 1500
       where store_id = $1 and id = 'budgeted'`,
      [storeId],
    );
    for (const [order, discount] of [
      ['b-1', 500],
      ['b-2', 700],
      ['b-3', 300],
      ['b-4', 1000],
    ] as const)
      await db.query(
        `with k as (insert into checkout_commits (store_id, order_external_id, state, customer_id)
           values ($1, $2, 'committed', null) returning store_id, order_external_id)
         insert into checkout_commit_bodies (store_id, order_external_id, effects, evaluation)
         select store_id, order_external_id, $3::json, '{}'::json from k`,
        [
          storeId,
          order,
          JSON.stringify([
            { ...use, promotionId: 'budgeted', discountMinor: discount, maxUses: null, budgetMinor: 10_000 },
          ]),
        ],
      );
    for (const order of ['b-1', 'b-2', 'b-3', 'b-4']) await cancelCheckout(db, storeId, order, now);
    const shards = await db.query<{ v: [number, number] | null }>(
      `select uses->'budgeted' as v from promotion_use_counts where store_id = $1 and uses ? 'budgeted'`,
      [storeId],
    );
    expect(shards.rows.map((r) => r.v)).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const row = await db.query<Record<string, number>>(
      `select uses, budget_spent_minor::int as spent, reserved_uses, reserved_minor::int as reserved
       from promotions where store_id = $1 and id = 'budgeted'`,
      [storeId],
    );
    expect(row.rows[0]).toEqual({ uses: 0, spent: 0, reserved_uses: 0, reserved: 0 });
  });
});
