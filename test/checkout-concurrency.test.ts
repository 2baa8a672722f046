import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelCheckout, commitCheckout } from '../src/checkout/repository.ts';
import { CheckoutCommitInput } from '../src/checkout/schemas.ts';
import type { Db } from '../src/db/client.ts';
import { ComebackError } from '../src/kernel/errors.ts';
import { DB_KINDS, freshDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

const LINES = [{ sku: 'MUG-1', quantity: 2, unit_price_minor: 1250 }];

/** Runs `fn` over `items` with at most `limit` in flight. */
async function bounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A commit's outcome: committed, duplicate, or the CHECKOUT_CONFLICT reason; anything else is rethrown. */
async function tryCommit(db: Db, storeId: string, body: unknown): Promise<string> {
  try {
    const r = await commitCheckout(db, storeId, CheckoutCommitInput.parse(body), Date.now());
    return r.duplicate ? 'duplicate' : 'committed';
  } catch (err) {
    if (err instanceof ComebackError && err.code === 'CHECKOUT_CONFLICT') return err.details[0].message;
    throw err;
  }
}

function count(outcomes: readonly string[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const o of outcomes) c[o] = (c[o] ?? 0) + 1;
  return c;
}

for (const kind of DB_KINDS) {
  describe(`checkout under concurrency [${kind}] (PGlite serialises, so it passes there trivially)`, () => {
    let db: Db;
    let t: TestApp;
    let key: string;
    let storeId: string;
    const call = (method: string, url: string, body?: unknown) => t.call(method, url, body, { key });

    beforeAll(async () => {
      db = await freshDb(kind, 20);
      t = await testApp(db);
      ({ key, storeId } = await storeWithKey(db, 'concurrency'));
      await call('POST', '/v1/products', {
        external_id: 'mug-1',
        sku: 'MUG-1',
        title: 'Mug',
        price_minor: 1250,
      });
      await call('PUT', '/v1/loyalty/program', { currency: 'EUR' });
    });
    afterAll(async () => {
      await t?.app.close();
      await db?.close();
    });

    it('a first-order promotion: a committed order the shop has not sent yet counts; 8 first orders at once → one gets it', async () => {
      await call('POST', '/v1/promotions', {
        id: 'welcome',
        name: 'Welcome',
        trigger: { type: 'automatic' },
        conditions: [{ code: 'first_order', args: {} }],
        actions: [{ code: 'amount_off', args: { amount_minor: 300 } }],
      });
      const body = (customer: string, order: string) => ({
        customer: { external_id: customer },
        currency: 'EUR',
        lines: LINES,
        codes: [],
        order_external_id: order,
      });
      const welcomed = (r: { body: { evaluation?: { discounts?: { promotion_id: string }[] } } }) =>
        (r.body.evaluation?.discounts ?? []).some((d) => d.promotion_id === 'welcome');

      await call('POST', '/v1/customers', { external_id: 'first-seq' });
      const first = await call('POST', '/v1/checkout/commit', body('first-seq', 'fo-1'));
      expect(first.status).toBe(201);
      expect(welcomed(first)).toBe(true);
      const second = await call('POST', '/v1/checkout/evaluate', body('first-seq', 'fo-2'));
      expect(second.status).toBe(200);
      expect(
        (second.body.discounts as { promotion_id: string }[]).some((d) => d.promotion_id === 'welcome'),
      ).toBe(false);
      // The order arrives: its commit leaves the pending ones (counted once, from the orders now).
      const arrived = async (order: string) =>
        (
          await db.query<{ arrived: boolean }>(
            'select arrived from checkout_commits where store_id = $1 and order_external_id = $2',
            [storeId, order],
          )
        ).rows[0].arrived;
      const order = (id: string, customer: string) => ({
        external_id: id,
        customer: { external_id: customer },
        placed_at: new Date().toISOString(),
        currency: 'EUR',
        status: 'paid',
        lines: LINES,
      });
      expect(await arrived('fo-1')).toBe(false);
      expect((await call('POST', '/v1/orders', order('fo-1', 'first-seq'))).status).toBe(201);
      expect(await arrived('fo-1')).toBe(true);
      const third = await call('POST', '/v1/checkout/evaluate', body('first-seq', 'fo-3'));
      expect(
        (third.body.discounts as { promotion_id: string }[]).some((d) => d.promotion_id === 'welcome'),
      ).toBe(false);
      // An ingestion that crossed the commit left it unmarked: the order still counts once.
      await db.query(
        "update checkout_commits set arrived = false where store_id = $1 and order_external_id = 'fo-1'",
        [storeId],
      );
      const secondOrder = await call('POST', '/v1/promotions', {
        id: 'second-order',
        name: 'Second order',
        trigger: { type: 'automatic' },
        conditions: [{ code: 'order_count', args: { min: 1, max: 1 } }],
        actions: [{ code: 'amount_off', args: { amount_minor: 100 } }],
      });
      expect(secondOrder.status).toBe(201);
      const counted = await call('POST', '/v1/checkout/evaluate', body('first-seq', 'fo-3'));
      expect(counted.status).toBe(200);
      expect(
        (counted.body.discounts as { promotion_id: string }[]).some((d) => d.promotion_id === 'second-order'),
      ).toBe(true);
      expect((await call('POST', '/v1/promotions/second-order/archive')).status).toBe(200);
      // An order that arrives before its commit: the commit is marked when it is written.
      await call('POST', '/v1/customers', { external_id: 'first-early' });
      expect((await call('POST', '/v1/orders', order('fe-1', 'first-early'))).status).toBe(201);
      expect((await call('POST', '/v1/checkout/commit', body('first-early', 'fe-1'))).status).toBe(201);
      expect(await arrived('fe-1')).toBe(true);

      await call('POST', '/v1/customers', { external_id: 'first-race' });
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => tryCommit(db, storeId, body('first-race', `fr-${i}`))),
      );
      // Each commit either got in or was refused for the first order taken meanwhile; one got the welcome.
      const c = count(outcomes);
      expect((c.committed ?? 0) + (c.not_first_order ?? 0)).toBe(8);
      expect(c.committed).toBeGreaterThanOrEqual(1);
      const rows = await db.query<{ n: number }>(
        `select count(*)::int as n from checkout_commits k join checkout_commit_bodies b using (store_id, order_external_id)
         where k.store_id = $1 and k.state = 'committed' and k.order_external_id like 'fr-%'
           and b.evaluation::text like '%welcome%'`,
        [storeId],
      );
      expect(rows.rows[0].n).toBe(1);
      expect((await call('POST', '/v1/promotions/welcome/archive')).status).toBe(200);
    });

    it('1,000 concurrent commits of a 100-use coupon over 20 connections: exactly 100 succeed, uses = 100, no 5xx', async () => {
      await call('POST', '/v1/promotions', {
        id: 'hundred',
        name: '100 uses',
        trigger: { type: 'code', code: 'HUNDRED' },
        limits: { total_uses: 100 },
        actions: [{ code: 'amount_off', args: { amount_minor: 100 } }],
      });
      const orders = Array.from({ length: 1000 }, (_, i) => i);
      const res = await bounded(orders, 100, (i) =>
        call('POST', '/v1/checkout/commit', {
          customer: null,
          currency: 'EUR',
          lines: LINES,
          codes: ['hundred'],
          order_external_id: `h-${i}`,
        }),
      );
      const statuses = count(res.map((r) => String(r.status)));
      expect(statuses).toEqual({ 201: 100, 409: 900 });
      for (const r of res)
        if (r.status === 409) expect(r.body.error.details[0].message).toBe('usage_limit_reached');
      const promo = await call('GET', '/v1/promotions/hundred');
      expect(promo.body.usage).toMatchObject({ uses: 100, uses_left: 0, budget_spent_minor: 10_000 });
    });

    it('a limit handed out in quotas of several uses: 1,200 concurrent commits of a 1,000-use and 9,000.00-budget promotion, exactly 900 succeed, none stranded in a shard', async () => {
      // 1,000 uses and 900 discounts' budget: quotas of 7 uses (1,000 / 128) go to the shards, and
      // the last discounts come from quotas that shards held and no order of theirs was using.
      await call('POST', '/v1/promotions', {
        id: 'big',
        name: 'Big',
        trigger: { type: 'code', code: 'BIG' },
        limits: { total_uses: 1000, budget_minor: 900_000 },
        actions: [{ code: 'amount_off', args: { amount_minor: 1000 } }],
      });
      const outcomes = await bounded(
        Array.from({ length: 1200 }, (_, i) => i),
        100,
        (i) =>
          tryCommit(db, storeId, {
            customer: null,
            currency: 'EUR',
            lines: [{ sku: 'MUG-1', quantity: 4, unit_price_minor: 1250 }],
            codes: ['big'],
            order_external_id: `big-${i}`,
          }),
      );
      expect(count(outcomes)).toEqual({ committed: 900, budget_exhausted: 300 });
      const promo = await call('GET', '/v1/promotions/big');
      expect(promo.body.usage).toMatchObject({ uses: 900, budget_spent_minor: 900_000 });
      // An edit takes every quota back onto the row: a limit of 900 is then allowed and full.
      const edited = await call('PATCH', '/v1/promotions/big', { limits: { total_uses: 900 } });
      expect(edited.status).toBe(200);
      expect(edited.body.usage).toMatchObject({ uses: 900, uses_left: 0 });
      const row = await db.query<{ uses: number; reserved_uses: number; reserved_minor: string }>(
        `select uses, reserved_uses, reserved_minor from promotions where store_id = $1 and id = 'big'`,
        [storeId],
      );
      expect(row.rows[0]).toMatchObject({ uses: 900, reserved_uses: 0 });
      expect(Number(row.rows[0].reserved_minor)).toBe(0);
      // Cancels give uses back to the limit.
      await call('POST', '/v1/checkout/cancel', { order_external_id: 'big-0' });
      expect((await call('GET', '/v1/promotions/big')).body.usage).toMatchObject({ uses: 899, uses_left: 1 });
    });

    it('300 concurrent commits of an unlimited promotion count 300 uses; a limit set meanwhile holds against all of them', async () => {
      await call('POST', '/v1/promotions', {
        id: 'open',
        name: 'Unlimited',
        trigger: { type: 'code', code: 'OPEN' },
        actions: [{ code: 'amount_off', args: { amount_minor: 10 } }],
      });
      const body = (i: number) => ({
        customer: null,
        currency: 'EUR',
        lines: LINES,
        codes: ['open'],
        order_external_id: `u-${i}`,
      });
      const res = await bounded(
        Array.from({ length: 300 }, (_, i) => i),
        20,
        (i) => call('POST', '/v1/checkout/commit', body(i)),
      );
      expect(count(res.map((r) => String(r.status)))).toEqual({ 201: 300 });
      expect((await call('GET', '/v1/promotions/open')).body.usage).toMatchObject({
        uses: 300,
        budget_spent_minor: 3000,
      });
      // 100 commits race an edit that caps the promotion at 350 uses.
      const [more, edit] = await Promise.all([
        bounded(
          Array.from({ length: 100 }, (_, i) => 300 + i),
          20,
          (i) => call('POST', '/v1/checkout/commit', body(i)),
        ),
        call('PATCH', '/v1/promotions/open', { limits: { total_uses: 350 } }),
      ]);
      // Commits planned before the edit are planned again, never a 5xx (they deadlocked once).
      expect(more.filter((r) => r.status !== 201 && r.status !== 409).map((r) => r.status)).toEqual([]);
      const ok = more.filter((r) => r.status === 201).length;
      const usage = (await call('GET', '/v1/promotions/open')).body.usage;
      expect(usage.uses).toBe(300 + ok);
      // The edit lands between commits: below the uses already taken it is refused, else exactly 350 are used.
      if (edit.status === 200) expect(usage.uses).toBe(350);
      else expect(edit.body.error.details[0].path).toBe('limits.total_uses');
    });

    it('a single-use code under 50 concurrent attempts is redeemed exactly once', async () => {
      await call('POST', '/v1/promotions', {
        id: 'single',
        name: 'Single use',
        trigger: { type: 'unique_codes' },
        actions: [{ code: 'amount_off', args: { amount_minor: 500 } }],
      });
      const code = (await call('POST', '/v1/promotions/single/codes', { count: 1 })).body.codes[0];
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          tryCommit(db, storeId, {
            customer: null,
            currency: 'EUR',
            lines: LINES,
            codes: [code],
            order_external_id: `s-${i}`,
          }),
        ),
      );
      expect(count(outcomes)).toEqual({ committed: 1, code_used: 49 });
      const codes = (await call('GET', '/v1/promotions/single/codes')).body.data;
      expect(codes[0].redeemed_at).not.toBeNull();
    });

    it('a gift card of 10.00 under 20 concurrent orders pays once and never goes below zero', async () => {
      await call('POST', '/v1/promotions', {
        id: 'gift',
        name: 'Gift card',
        trigger: { type: 'unique_codes' },
        actions: [{ code: 'gift_card', args: {} }],
      });
      const code = (await call('POST', '/v1/promotions/gift/codes', { count: 1, balance_minor: 1000 })).body
        .codes[0];
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          tryCommit(db, storeId, {
            customer: null,
            currency: 'EUR',
            lines: LINES,
            codes: [code],
            order_external_id: `g-${i}`,
          }),
        ),
      );
      expect(count(outcomes)).toEqual({ committed: 1, gift_card_empty: 19 });
      const codes = (await call('GET', '/v1/promotions/gift/codes')).body.data;
      expect(codes[0].balance_minor).toBe(0);
    });

    it('a once-per-customer coupon under 20 concurrent orders of one customer is used once', async () => {
      await call('POST', '/v1/promotions', {
        id: 'once',
        name: 'Once each',
        trigger: { type: 'code', code: 'ONCE' },
        limits: { uses_per_customer: 1 },
        actions: [{ code: 'amount_off', args: { amount_minor: 100 } }],
      });
      await call('POST', '/v1/customers', { external_id: 'once-1' });
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          tryCommit(db, storeId, {
            customer: { external_id: 'once-1' },
            currency: 'EUR',
            lines: LINES,
            codes: ['once'],
            order_external_id: `once-${i}`,
          }),
        ),
      );
      expect(count(outcomes)).toEqual({ committed: 1, usage_limit_reached: 19 });
      expect((await call('GET', '/v1/promotions/once')).body.usage.uses).toBe(1);
    });

    it('a budget of 10.00 at 3.00 a discount is never overspent under 60 concurrent commits', async () => {
      await call('POST', '/v1/promotions', {
        id: 'budget',
        name: 'Budget',
        trigger: { type: 'code', code: 'BUDGET' },
        limits: { budget_minor: 1000 },
        actions: [{ code: 'amount_off', args: { amount_minor: 300 } }],
      });
      const outcomes = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          tryCommit(db, storeId, {
            customer: null,
            currency: 'EUR',
            lines: LINES,
            codes: ['budget'],
            order_external_id: `b-${i}`,
          }),
        ),
      );
      const usage = (await call('GET', '/v1/promotions/budget')).body.usage;
      expect(usage.budget_spent_minor).toBeLessThanOrEqual(1000);
      expect(usage.budget_spent_minor).toBeGreaterThan(1000 - 300);
      expect(count(outcomes).committed).toBe(usage.uses);
      expect(outcomes.every((o) => o === 'committed' || o === 'budget_exhausted')).toBe(true);
    });

    it('a balance of 1,000 points under 200 concurrent redemptions of 100: exactly 10 succeed, final balance 0', async () => {
      await call('POST', '/v1/customers', { external_id: 'pts-1' });
      await call('POST', '/v1/customers/pts-1/loyalty/adjustments', { points: 1000, reason: 'Test balance' });
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          tryCommit(db, storeId, {
            customer: { external_id: 'pts-1' },
            currency: 'EUR',
            lines: LINES,
            points: 100,
            order_external_id: `pt-${i}`,
          }),
        ),
      );
      expect(count(outcomes)).toEqual({ committed: 10, insufficient_points: 190 });
      const loyalty = await call('GET', '/v1/customers/pts-1/loyalty');
      // What is left is the 10 orders' earned points (24 each), pending: nothing spendable.
      expect(loyalty.body).toMatchObject({ available: 0, pending: 240, balance: 240 });
      const lots = await db.query<{ remaining: number }>(
        "select remaining from loyalty_lots l join customers c on c.store_id = l.store_id and c.id = l.customer_id where c.external_id = 'pts-1'",
      );
      expect(lots.rows.every((l) => l.remaining >= 0)).toBe(true);
    });

    it('the same order committed 8 times sequentially and 8 times concurrently gives one set of rewards', async () => {
      await call('POST', '/v1/promotions', {
        id: 'repeat',
        name: 'Repeat',
        trigger: { type: 'code', code: 'REPEAT' },
        actions: [{ code: 'amount_off', args: { amount_minor: 200 } }],
      });
      await call('POST', '/v1/customers', { external_id: 'rep-1' });
      await call('POST', '/v1/customers/rep-1/loyalty/adjustments', { points: 1000, reason: 'Test balance' });
      const body = (order: string) => ({
        customer: { external_id: 'rep-1' },
        currency: 'EUR',
        lines: LINES,
        codes: ['repeat'],
        points: 100,
        order_external_id: order,
      });
      const sequential: string[] = [];
      for (let i = 0; i < 8; i++) sequential.push(await tryCommit(db, storeId, body('r-seq')));
      expect(count(sequential)).toEqual({ committed: 1, duplicate: 7 });
      const concurrent = await Promise.all(
        Array.from({ length: 8 }, () => tryCommit(db, storeId, body('r-con'))),
      );
      expect(count(concurrent)).toEqual({ committed: 1, duplicate: 7 });
      expect((await call('GET', '/v1/promotions/repeat')).body.usage).toMatchObject({
        uses: 2,
        budget_spent_minor: 400,
      });
      let loyalty = (await call('GET', '/v1/customers/rep-1/loyalty')).body;
      expect(loyalty).toMatchObject({ available: 800, pending: 44 });
      expect(loyalty.entries.filter((e: { kind: string }) => e.kind === 'earn')).toHaveLength(2);
      // Cancel 8 times concurrently: released once.
      await Promise.all(Array.from({ length: 8 }, () => cancelCheckout(db, storeId, 'r-con', Date.now())));
      expect((await call('GET', '/v1/promotions/repeat')).body.usage.uses).toBe(1);
      loyalty = (await call('GET', '/v1/customers/rep-1/loyalty')).body;
      expect(loyalty).toMatchObject({ available: 900, pending: 22 });
    });
  });
}
