import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorker } from '../src/jobs/worker.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { DAY_MS } from '../src/kernel/time.ts';
import { runLoyaltyJob } from '../src/loyalty/jobs.ts';
import { LoyaltyProgram, type LoyaltyProgramInput } from '../src/loyalty/program.ts';
import { saveProgram } from '../src/loyalty/repository.ts';
import { Promotion } from '../src/promotions/promotion.ts';
import { insertPromotion } from '../src/promotions/repository.ts';
import { systemClock } from '../src/system-clock.ts';
import { describeEachDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

const PROGRAM: LoyaltyProgramInput = {
  currency: 'EUR',
  pendingDays: 14,
  expiryDays: 90,
  expiryReminderDays: 14,
  tiers: {
    basis: 'spend',
    windowDays: 365,
    graceDays: 30,
    renewalReminderDays: 14,
    levels: [
      { code: 'silver', name: 'Silver', minSpendMinor: 10_000, benefits: { discountBps: 500 } },
      { code: 'gold', name: 'Gold', minSpendMinor: 50_000, benefits: { discountBps: 1000 } },
      {
        code: 'club',
        name: 'Club',
        membershipOnly: true,
        membership: { priceMinor: 4900, periodDays: 365 },
        benefits: { freeShipping: true },
      },
    ],
  },
  certificate: { every: 2, promotionId: 'cert', validDays: 60 },
  referral: { referrerPoints: 500, refereePoints: 200, minOrderMinor: 2000 },
};

const T0 = Date.now();
const at = (days: number) => new Date(T0 + days * DAY_MS).toISOString();

describeEachDb('the loyalty job', (getDb, kind) => {
  let t: TestApp;
  const ids = createIdGenerator();
  const job = (storeId: string, days = 0) =>
    runLoyaltyJob({ db: getDb(), ids }, storeId, 'test', T0 + days * DAY_MS);

  beforeAll(async () => {
    t = await testApp(getDb());
  });
  afterAll(async () => {
    await t?.app.close();
  });

  /** A store with the program (and the certificate promotion) and an API caller for it. */
  async function store(slug: string) {
    const { storeId, key } = await storeWithKey(getDb(), slug);
    await saveProgram(getDb(), storeId, LoyaltyProgram.parse(PROGRAM));
    await insertPromotion(
      getDb(),
      storeId,
      Promotion.parse({
        id: 'cert',
        name: 'Thank you: 5.00 off',
        trigger: { type: 'unique_codes' },
        actions: [{ code: 'amount_off', args: { amountMinor: 500 } }],
      }),
      'active',
    );
    const call = (method: string, url: string, body?: unknown) => t.call(method, url, body, { key });
    const order = (ext: string, customer: string | null, placedDays: number, minor: number) =>
      call('POST', '/v1/orders', {
        external_id: ext,
        customer: customer === null ? null : { external_id: customer, email: `${customer}@example.com` },
        placed_at: at(placedDays),
        currency: 'EUR',
        status: 'paid',
        lines: [{ sku: 'X', quantity: 1, unit_price_minor: minor }],
      });
    const events = async (kind?: string) =>
      (
        await getDb().query<{ kind: string; customer_id: string; payload: Record<string, unknown> }>(
          `select kind, customer_id, payload from loyalty_events where store_id = $1 ${kind ? 'and kind = $2' : ''} order by id`,
          kind ? [storeId, kind] : [storeId],
        )
      ).rows;
    const balance = async (customer: string) => (await call('GET', `/v1/customers/${customer}/loyalty`)).body;
    const tier = async (customer: string) => (await call('GET', `/v1/customers/${customer}/tier`)).body;
    return { storeId, call, order, events, balance, tier };
  }

  it('reminds of points about to lapse once per lot, then writes them off once', async () => {
    const s = await store('job-expiry');
    // Placed 100 days ago: available since day -86, lapsing on day +4.
    expect((await s.order('e-1', 'ex', -100, 4000)).status).toBe(201);
    expect((await s.balance('ex')).available).toBe(40);
    const first = await job(s.storeId);
    expect(first?.summary.expiringReminders).toBe(1);
    expect((await job(s.storeId))?.summary.expiringReminders).toBe(0);
    expect(await s.events('points_expiring')).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ points: 40, withinDays: 14 }) }),
    ]);
    const later = await job(s.storeId, 5);
    expect(later?.summary.expired).toEqual({ customers: 1, points: 40 });
    expect((await job(s.storeId, 5))?.summary.expired).toEqual({ customers: 0, points: 0 });
    expect((await job(s.storeId, 6))?.summary.expired).toEqual({ customers: 0, points: 0 });
    expect((await s.balance('ex')).balance).toBe(0);
    expect((await s.events('points_expired')).length).toBe(1);
  });

  it('two customers given points under the same adjustment key are each reminded and written off', async () => {
    const s = await store('job-same-key');
    for (const c of ['k1', 'k2']) {
      expect((await s.call('POST', '/v1/customers', { external_id: c })).status).toBe(201);
      const adj = await s.call('POST', `/v1/customers/${c}/loyalty/adjustments`, {
        points: 30,
        reason: 'apology',
        key: 'apology-2026',
        expires_at: at(3),
      });
      expect(adj.status).toBe(201);
    }
    expect((await job(s.storeId, 1))?.summary.expiringReminders).toBe(2);
    expect((await job(s.storeId, 4))?.summary.expired).toEqual({ customers: 2, points: 60 });
    const byCustomer = async (kind: string) => (await s.events(kind)).map((e) => e.customer_id).sort();
    const customers = (
      await getDb().query<{ id: string }>('select id from customers where store_id = $1 order by id', [
        s.storeId,
      ])
    ).rows.map((r) => r.id);
    expect(await byCustomer('points_expiring')).toEqual(customers);
    expect(await byCustomer('points_expired')).toEqual(customers);
  });

  it("pays the birthday bonus on the customer's birthday in the store's time zone, once a year", async () => {
    const s = await store('job-birthday');
    await saveProgram(getDb(), s.storeId, LoyaltyProgram.parse({ ...PROGRAM, bonuses: { birthday: 100 } }));
    await getDb().query(`update stores set timezone = 'Pacific/Auckland' where id = $1`, [s.storeId]);
    for (const [c, birthday] of [
      ['bd-today', '1990-06-15'],
      ['bd-utc', '1990-06-14'],
      ['bd-none', null],
    ] as const)
      expect((await s.call('POST', '/v1/customers', { external_id: c, birthday })).status).toBe(201);
    // 20:00 UTC on 14 June is 08:00 on 15 June in Auckland.
    const june14 = Date.UTC(2026, 5, 14, 20);
    const run = async (ms: number) =>
      (await runLoyaltyJob({ db: getDb(), ids }, s.storeId, 'test', ms))?.summary.birthdayBonuses;
    expect(await run(june14)).toBe(1);
    expect(await run(june14 + 3_600_000)).toBe(0);
    expect(await run(june14 + 365 * DAY_MS)).toBe(1);
    const bonuses = await getDb().query<{ external_id: string; key: string; points: string | number }>(
      `select c.external_id, e.key, e.points from loyalty_entries e
       join customers c on c.store_id = e.store_id and c.id = e.customer_id
       where e.store_id = $1 and e.kind = 'bonus' order by e.seq`,
      [s.storeId],
    );
    expect(bonuses.rows.map((r) => [r.external_id, r.key, Number(r.points)])).toEqual([
      ['bd-today', 'bonus:birthday:2026', 100],
      ['bd-today', 'bonus:birthday:2027', 100],
    ]);
    expect((await s.events('points_earned')).length).toBe(2);
  });

  it('stores tiers by rolling spend, keeps them through the grace period, and checkout uses the stored tier', async () => {
    const s = await store('job-tiers');
    await s.order('t-1', 'vip', -10, 30_000);
    await s.order('t-2', 'vip', -5, 25_000);
    await s.order('t-3', 'small', -5, 12_000);
    const run = await job(s.storeId);
    expect(run?.summary.tiers).toMatchObject({ changed: 2 });
    expect(await s.tier('vip')).toMatchObject({
      tier: 'gold',
      rolling_spend_minor: 55_000,
      rolling_orders: 2,
    });
    expect((await s.tier('small')).tier).toBe('silver');
    expect((await job(s.storeId))?.summary.tiers.changed).toBe(0);
    const upgrades = (await s.events('tier_changed')).map((e) => [e.payload.from, e.payload.to]);
    expect(upgrades).toHaveLength(2);
    expect(upgrades).toEqual(
      expect.arrayContaining([
        [null, 'silver'],
        [null, 'gold'],
      ]),
    );

    const cart = {
      customer: { external_id: 'vip' },
      currency: 'EUR',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 10_000 }],
      shipping_minor: 0,
      codes: [],
      points: 0,
    };
    const ev = await s.call('POST', '/v1/checkout/evaluate', cart);
    expect(ev.status).toBe(200);
    expect(JSON.stringify(ev.body)).toContain('tier:gold');
    const commit = await s.call('POST', '/v1/checkout/commit', { ...cart, order_external_id: 'chk-vip' });
    expect(commit.status).toBe(201);
    expect(JSON.stringify(commit.body.evaluation)).toContain('tier:gold');

    // A year on, the spend has left the window: a grace period first, then the downgrade, once.
    await job(s.storeId, 400);
    expect(await s.tier('vip')).toMatchObject({ tier: 'gold', rolling_spend_minor: 0 });
    expect((await s.tier('vip')).grace_until).not.toBeNull();
    expect((await job(s.storeId, 400))?.summary.tiers.changed).toBe(0);
    await job(s.storeId, 431);
    expect((await s.tier('vip')).tier).toBeNull();
    expect((await job(s.storeId, 431))?.summary.tiers.changed).toBe(0);
    const downgrades = (await s.events('tier_changed')).filter((e) => e.payload.to === null);
    expect(downgrades.map((e) => e.payload.cause)).toEqual(['grace_ended', 'grace_ended']);
  });

  it('a paid membership holds its tier from purchase, reminds of renewal once, and ends at its end', async () => {
    const s = await store('job-membership');
    await s.call('POST', '/v1/customers', { external_id: 'm1', email: 'm1@example.com' });
    const bought = await s.call('POST', '/v1/customers/m1/memberships', { tier: 'club', key: 'buy-1' });
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({ tier: 'club', tier_in_force: 'club', price_minor: 4900 });
    const again = await s.call('POST', '/v1/customers/m1/memberships', { tier: 'club', key: 'buy-1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, id: bought.body.id });
    const notForSale = await s.call('POST', '/v1/customers/m1/memberships', { tier: 'gold', key: 'buy-2' });
    expect(notForSale.status).toBe(422);

    // Checkout gives the membership's free shipping while it lasts, and not a moment after its end,
    // even before the nightly job stores the change.
    const cart = {
      customer: { external_id: 'm1' },
      currency: 'EUR',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 1000 }],
      shipping_minor: 490,
      codes: [],
      points: 0,
    };
    const during = await s.call('POST', '/v1/checkout/evaluate', cart);
    expect(during.body.shipping).toMatchObject({ free: true });
    await getDb().query(
      "update loyalty_memberships set starts_at = now() - interval '2 days', ends_at = now() - interval '1 day' where store_id = $1",
      [s.storeId],
    );
    expect((await s.tier('m1')).tier).toBe('club');
    const after = await s.call('POST', '/v1/checkout/evaluate', cart);
    expect(after.body.shipping).toMatchObject({ free: false, total_minor: 490 });
    // Orders arriving from the store earn at the tier in force when they were placed: with the
    // club doubling points, an order placed during the membership earns double, one after it not.
    const club = PROGRAM.tiers?.levels?.find((l) => l.code === 'club');
    await saveProgram(
      getDb(),
      s.storeId,
      LoyaltyProgram.parse({
        ...PROGRAM,
        tiers: {
          ...PROGRAM.tiers,
          levels: PROGRAM.tiers?.levels?.map((l) =>
            l === club ? { ...l, benefits: { freeShipping: true, earnMultiplierBps: 20_000 } } : l,
          ),
        },
      }),
    );
    await s.order('m-after', 'm1', 0, 1000);
    await s.order('m-during', 'm1', -1.5, 1000);
    const earned = await getDb().query<{ key: string; points: number }>(
      "select key, points from loyalty_entries where store_id = $1 and key like 'earn:m-%' order by key",
      [s.storeId],
    );
    expect(earned.rows.map((r) => [r.key, Number(r.points)])).toEqual([
      ['earn:m-after', 10],
      ['earn:m-during', 20],
    ]);
    await saveProgram(getDb(), s.storeId, LoyaltyProgram.parse(PROGRAM));
    await getDb().query(
      "update loyalty_memberships set starts_at = now(), ends_at = now() + interval '365 days' where store_id = $1",
      [s.storeId],
    );

    expect((await job(s.storeId, 355))?.summary.tiers.renewalReminders).toBe(1);
    expect((await job(s.storeId, 356))?.summary.tiers.renewalReminders).toBe(0);
    expect((await s.events('membership_renewal_due')).length).toBe(1);
    await job(s.storeId, 366);
    const changes = await s.events('tier_changed');
    expect(changes.map((e) => [e.payload.to, e.payload.cause])).toEqual([
      ['club', 'membership_started'],
      [null, 'membership_ended'],
    ]);
  });

  it('issues a personal certificate after every 2nd order, once per threshold', async () => {
    const s = await store('job-certificates');
    await s.order('c-1', 'cat', -3, 1000);
    await s.order('c-2', 'cat', -2, 1000);
    await s.order('c-3', 'cat', -1, 1000);
    const first = await job(s.storeId);
    expect(first?.summary).toMatchObject({ certificates: 1, warnings: [] });
    expect((await job(s.storeId))?.summary.certificates).toBe(0);
    const codes = await getDb().query<{ customer_id: string; promotion_id: string }>(
      'select customer_id, promotion_id from promotion_codes where store_id = $1',
      [s.storeId],
    );
    expect(codes.rows.length).toBe(1);
    expect(codes.rows[0].promotion_id).toBe('cert');
    const [issued] = await s.events('certificate_issued');
    expect(issued.payload).toMatchObject({ orderNumber: 2, promotionId: 'cert' });
    expect(issued.customer_id).toBe(codes.rows[0].customer_id);
    // A program naming a promotion that does not exist says so in the run, instead of issuing nothing silently.
    await saveProgram(
      getDb(),
      s.storeId,
      LoyaltyProgram.parse({ ...PROGRAM, certificate: { every: 2, promotionId: 'gone' } }),
    );
    expect((await job(s.storeId))?.summary.warnings).toEqual([
      'No certificates issued: the certificate promotion gone does not exist',
    ]);
  });

  it("refuses a referral of a new customer at the referrer's postal address, however it is written", async () => {
    const s = await store('job-referrals-address');
    const home = { line1: 'Lindenstraße 12', postal_code: '10115', city: 'Berlin', country: 'de' };
    const created = await s.call('POST', '/v1/customers', {
      external_id: 'adr-a',
      email: 'a@example.com',
      address: home,
    });
    expect(created.status).toBe(201);
    expect((await s.call('GET', '/v1/customers/adr-a')).body.address).toEqual({
      line1: 'Lindenstraße 12',
      line2: null,
      postal_code: '10115',
      city: 'Berlin',
      region: null,
      country: 'DE',
    });
    // Sent again as it is: nothing changes.
    expect(
      (await s.call('POST', '/v1/customers/batch', { data: [{ external_id: 'adr-a', address: home }] })).body,
    ).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    await s.call('POST', '/v1/customers', {
      external_id: 'adr-b',
      email: 'b@example.com',
      address: { line1: 'LINDENSTRASSE 12 ', postal_code: '10115', country: 'DE' },
    });
    await s.call('POST', '/v1/customers', {
      external_id: 'adr-c',
      email: 'c@example.com',
      address: { line1: 'Lindenstraße 14', postal_code: '10115', country: 'DE' },
    });
    const code = (await s.call('GET', '/v1/customers/adr-a/referral')).body.code;
    const same = await s.call('POST', '/v1/referrals', { code, customer: { external_id: 'adr-b' } });
    expect(same.status).toBe(422);
    expect(same.body.error.details[0].message).toBe('self_referral');
    expect((await s.call('POST', '/v1/referrals', { code, customer: { external_id: 'adr-c' } })).status).toBe(
      201,
    );
    const bad = await s.call('POST', '/v1/customers', {
      external_id: 'adr-d',
      address: { line1: 'x', country: 'DEU' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe('address.country');
  });

  it('converts a referral once the first order passes the minimum and its return window; refuses self-referral', async () => {
    const s = await store('job-referrals');
    await s.call('POST', '/v1/customers', { external_id: 'ref-a', email: 'a@example.com' });
    await s.call('POST', '/v1/customers', { external_id: 'ref-b', email: 'b@example.com' });
    await s.call('POST', '/v1/customers', { external_id: 'ref-a2', email: 'A+promo@example.com' });
    const code = (await s.call('GET', '/v1/customers/ref-a/referral')).body.code;
    expect(code).toMatch(/^[0-9A-Z]{8}$/);
    expect((await s.call('GET', '/v1/customers/ref-a/referral')).body.code).toBe(code);
    const self = await s.call('POST', '/v1/referrals', { code, customer: { external_id: 'ref-a2' } });
    expect(self.status).toBe(422);
    expect(self.body.error.details[0].message).toBe('self_referral');
    const ok = await s.call('POST', '/v1/referrals', { code, customer: { external_id: 'ref-b' } });
    expect(ok.status).toBe(201);
    expect((await s.call('POST', '/v1/referrals', { code, customer: { external_id: 'ref-b' } })).status).toBe(
      409,
    );

    await s.order('r-1', 'ref-b', 0, 3000);
    expect((await job(s.storeId))?.summary.referrals).toEqual({ converted: 0, rejected: 0, waiting: 1 });
    expect((await job(s.storeId, 15))?.summary.referrals).toEqual({ converted: 1, rejected: 0, waiting: 0 });
    expect((await job(s.storeId, 16))?.summary.referrals).toEqual({ converted: 0, rejected: 0, waiting: 0 });
    expect((await s.balance('ref-a')).balance).toBe(500);
    expect((await s.balance('ref-b')).balance).toBe(30 + 200);
    expect((await s.events('referral_converted')).length).toBe(1);
  });

  it('a first order refunded in full rejects the referral: the next order does not convert it', async () => {
    const s = await store('job-ref-refunded');
    await s.call('POST', '/v1/customers', { external_id: 'rr-a', email: 'rr-a@example.com' });
    await s.call('POST', '/v1/customers', { external_id: 'rr-b', email: 'rr-b@example.com' });
    const code = (await s.call('GET', '/v1/customers/rr-a/referral')).body.code;
    expect((await s.call('POST', '/v1/referrals', { code, customer: { external_id: 'rr-b' } })).status).toBe(
      201,
    );
    const first = {
      external_id: 'rr-1',
      customer: { external_id: 'rr-b' },
      placed_at: at(0),
      currency: 'EUR',
      status: 'refunded',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 3000 }],
    };
    expect((await s.call('POST', '/v1/orders', first)).status).toBe(201);
    await s.order('rr-2', 'rr-b', 1, 3000);
    expect((await job(s.storeId, 20))?.summary.referrals).toEqual({ converted: 0, rejected: 1, waiting: 0 });
    expect((await s.balance('rr-a')).balance).toBe(0);
    expect((await s.events('referral_converted')).length).toBe(0);
  });

  it('an open (unpaid) first order does not convert a referral; refunded orders count towards no certificate', async () => {
    const s = await store('job-unpaid');
    await s.call('POST', '/v1/customers', { external_id: 'up-a', email: 'up-a@example.com' });
    await s.call('POST', '/v1/customers', { external_id: 'up-b', email: 'up-b@example.com' });
    const code = (await s.call('GET', '/v1/customers/up-a/referral')).body.code;
    expect((await s.call('POST', '/v1/referrals', { code, customer: { external_id: 'up-b' } })).status).toBe(
      201,
    );
    const unpaid = {
      external_id: 'up-1',
      customer: { external_id: 'up-b' },
      placed_at: at(0),
      currency: 'EUR',
      status: 'open',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 3000 }],
    };
    expect((await s.call('POST', '/v1/orders', unpaid)).status).toBe(201);
    expect((await job(s.storeId, 15))?.summary.referrals).toEqual({ converted: 0, rejected: 0, waiting: 0 });
    expect((await s.balance('up-a')).balance).toBe(0);
    expect((await s.call('POST', '/v1/orders', { ...unpaid, status: 'paid' })).status).toBe(200);
    expect((await job(s.storeId, 15))?.summary.referrals).toEqual({ converted: 1, rejected: 0, waiting: 0 });

    // Two orders refunded in full, then one paid: the customer has one order that counts, not three.
    for (const [i, ext] of ['rf-1', 'rf-2', 'rf-3'].entries()) {
      expect((await s.order(ext, 'rf', i - 3, 1000)).status).toBe(201);
    }
    for (const ext of ['rf-1', 'rf-2']) {
      const refund = await s.call('POST', '/v1/refunds', {
        external_id: `refund-${ext}`,
        order_external_id: ext,
        refunded_at: at(-1),
        currency: 'EUR',
        amount_minor: 1000,
      });
      expect(refund.status).toBe(201);
    }
    expect((await job(s.storeId))?.summary.certificates).toBe(0);
    expect(await s.events('certificate_issued')).toEqual([]);
  });

  it('runs on demand over HTTP; a second run changes nothing; the events feed pages with a cursor', async () => {
    const s = await store('job-http');
    await s.order('h-1', 'hh', -100, 4000);
    await s.order('h-2', 'hh', -1, 60_000);
    const first = await s.call('POST', '/v1/loyalty/jobs/run?wait=true');
    expect(first.status).toBe(200);
    expect(first.body.summary).toMatchObject({ expiringReminders: 1, tiers: { changed: 1 } });
    const count = async () =>
      (
        await getDb().query<{ e: number; v: number }>(
          `select (select count(*)::int from loyalty_entries where store_id = $1) as e,
                  (select count(*)::int from loyalty_events where store_id = $1) as v`,
          [s.storeId],
        )
      ).rows[0];
    const before = await count();
    const second = await s.call('POST', '/v1/loyalty/jobs/run?wait=true');
    expect(second.body.summary).toMatchObject({
      expired: { points: 0 },
      expiringReminders: 0,
      tiers: { changed: 0 },
      certificates: 0,
    });
    expect(await count()).toEqual(before);
    // `comeback loyalty run` while the server holds the database goes through the admin API.
    const cli = await t.call('POST', '/admin/v1/stores/job-http/loyalty/jobs/run', undefined, {
      headers: { authorization: 'Bearer test-admin-token' },
    });
    expect(cli.status).toBe(200);
    expect(cli.body.summary).toMatchObject({ expiringReminders: 0, tiers: { changed: 0 } });
    expect(await count()).toEqual(before);
    const runs = await s.call('GET', '/v1/loyalty/jobs/runs');
    expect(runs.body.data.map((r: { status: string; trigger: string }) => [r.trigger, r.status])).toEqual([
      ['cli', 'done'],
      ['api', 'done'],
      ['api', 'done'],
    ]);

    // The feed holds back events while an older transaction (in any database of the server) runs: poll.
    const readAll = async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { data: Array<{ id: string }>; next_cursor: string | null } } = await s.call(
          'GET',
          `/v1/loyalty/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.body.data.map((e) => e.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      return seen;
    };
    let seen = await readAll();
    for (let i = 0; i < 50 && seen.length < before.v; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await readAll();
    }
    expect(seen.length).toBe(before.v);
    expect(new Set(seen).size).toBe(seen.length);
    const tiers = await s.call('GET', '/v1/loyalty/events?kind=tier_changed&customer_id=hh');
    expect(tiers.body.data).toEqual([expect.objectContaining({ kind: 'tier_changed' })]);
  });

  it("the events feed never lets an event committed late fall behind a reader's cursor", async () => {
    if (kind !== 'postgres') return; // PGlite has one connection: no transaction runs beside a reader.
    const s = await store('job-feed');
    await s.call('POST', '/v1/customers', { external_id: 'fx' });
    const cid = (await s.call('GET', '/v1/customers/fx')).body.id;
    const insert = (q: { query: (t: string, p: unknown[]) => Promise<unknown> }, key: string) =>
      q.query(
        `insert into loyalty_events (store_id, id, customer_id, kind, payload, at, dedupe_key)
         values ($1, $2, $3, 'points_expired', '{}', now(), $4)`,
        [s.storeId, ids('loyaltyEvent'), cid, key],
      );
    const feed = async () =>
      (await s.call('GET', '/v1/loyalty/events?customer_id=fx')).body.data.map(
        (e: { dedupe_key: string }) => e.dedupe_key,
      );
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const begun = new Promise<void>((r) => {
      started = r;
    });
    const slow = getDb().tx(async (q) => {
      await insert(q, 'slow');
      started();
      await held;
    });
    await begun;
    await insert(getDb(), 'fast');
    // "fast" is committed, but an older transaction is still open: the feed waits for it.
    expect(await feed()).toEqual([]);
    release();
    await slow;
    let keys: string[] = [];
    for (let i = 0; i < 50 && keys.length < 2; i++) {
      keys = await feed();
      if (keys.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(keys).toEqual(['slow', 'fast']);
    expect((await s.call('GET', '/v1/loyalty/events?cursor=nonsense')).status).toBe(422);
  });

  it('the worker runs a queued loyalty job to completion (one pending per store)', async () => {
    const s = await store('job-worker');
    await s.order('w-1', 'ww', -1, 20_000);
    const worker = await startWorker({ db: getDb(), ids, clock: systemClock }, pino({ level: 'silent' }));
    try {
      expect(await worker.runLoyalty(s.storeId, 'test')).toBeTruthy();
      let status: string | undefined;
      for (let i = 0; i < 60 && status !== 'done'; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const run = await getDb().query<{ status: string }>(
          'select status from loyalty_job_runs where store_id = $1',
          [s.storeId],
        );
        status = run.rows[0]?.status;
      }
      expect(status).toBe('done');
      expect((await s.tier('ww')).tier).toBe('silver');
    } finally {
      await worker.stop();
    }
  });
});
