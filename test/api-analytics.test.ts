import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDemoStore } from '../src/demo/load.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { createApiKey, createStore } from '../src/stores/repository.ts';
import { systemClock } from '../src/system-clock.ts';
import { describeEachDb } from './db.ts';
import { type TestApp, testApp } from './helpers.ts';

describeEachDb('analytics in the service', (getDb) => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    const ctx = { db: getDb(), ids: createIdGenerator(), clock: systemClock };
    const demo = await loadDemoStore(ctx, { customers: 400, seed: 7, now: new Date('2026-06-01T00:00:00Z') });
    key = (await createApiKey(getDb(), ctx.ids, demo.storeId)).secret;
    t = await testApp(getDb());
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('has no report before the first run, then scores every buying customer', async () => {
    expect((await t.call('GET', '/v1/analytics', undefined, { key })).status).toBe(404);
    const run = await t.call('POST', '/v1/analytics/recompute?wait=true', undefined, { key });
    expect(run.status).toBe(200);
    const report = await t.call('GET', '/v1/analytics', undefined, { key });
    expect(report.status).toBe(200);
    const summary = report.body.report.summary;
    const buyers = await getDb().query<{ n: number }>(
      `select count(distinct customer_id)::int as n from orders where customer_id is not null and status <> 'cancelled'`,
    );
    expect(summary.customers).toBe(buyers.rows[0].n);
    expect(report.body.report.models.bgnbd.params.r).toBeGreaterThan(0);
    const scored = await getDb().query<{ n: number }>('select count(*)::int as n from customer_scores');
    expect(scored.rows[0].n).toBe(buyers.rows[0].n);
  });

  it('exposes scores on the 360 view and filters the customer list by segment, stage and sleeping', async () => {
    const sleeping = await t.call('GET', '/v1/customers?sleeping=true&limit=500', undefined, { key });
    expect(sleeping.status).toBe(200);
    expect(sleeping.body.data.length).toBeGreaterThan(0);
    for (const c of sleeping.body.data) expect(c.sleeping).toBe(true);
    const one = await t.call('GET', `/v1/customers/${sleeping.body.data[0].id}`, undefined, { key });
    expect(one.body.scores.sleeping).toBe(true);
    expect(one.body.scores.reason.length).toBeGreaterThan(10);
    expect(one.body.scores.p_alive).toBeGreaterThanOrEqual(0);
    const champions = await t.call('GET', '/v1/customers?segment=Champions&limit=500', undefined, { key });
    for (const c of champions.body.data) expect(c.rfm_segment).toBe('Champions');
    const bad = await t.call('GET', '/v1/customers?segment=Nope', undefined, { key });
    expect(bad.status).toBe(422);
  });

  it('stores money scores in the minor units of the store currency (yen have none)', async () => {
    const ids = createIdGenerator();
    const store = await createStore(getDb(), ids, { slug: 'yen-shop', currency: 'JPY' });
    const yenKey = (await createApiKey(getDb(), ids, store.id)).secret;
    const order = (id: string, customer: string, day: string, total: number) => ({
      external_id: id,
      customer: { external_id: customer },
      placed_at: `${day}T10:00:00Z`,
      currency: 'JPY',
      lines: [{ sku: 'TEA', quantity: 1, unit_price_minor: total }],
    });
    const orders = [
      order('y1', 'aiko', '2026-01-05', 4800),
      order('y2', 'aiko', '2026-02-09', 5200),
      order('y3', 'ken', '2026-03-01', 3000),
    ];
    expect((await t.call('POST', '/v1/orders/batch', { data: orders }, { key: yenKey })).status).toBe(200);
    expect(
      (await t.call('POST', '/v1/analytics/recompute?wait=true', undefined, { key: yenKey })).status,
    ).toBe(200);
    const spend = await getDb().query<{ external_id: string; total_spend_minor: number }>(
      `select c.external_id, s.total_spend_minor::float8 as total_spend_minor from customer_scores s
       join customers c on c.store_id = s.store_id and c.id = s.customer_id where s.store_id = $1 order by 1`,
      [store.id],
    );
    expect(spend.rows.map((r) => [r.external_id, Number(r.total_spend_minor)])).toEqual([
      ['aiko', 10000],
      ['ken', 3000],
    ]);
  });
});
