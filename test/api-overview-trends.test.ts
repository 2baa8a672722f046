import { afterAll, beforeAll, expect, it } from 'vitest';
import { monthlyTrends } from '../src/dashboard/repository.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { createStaffUser } from '../src/staff/repository.ts';
import { describeEachDb } from './db.ts';
import { staffHeaders, storeWithKey, type TestApp, testApp } from './helpers.ts';

const PASSWORD = 'correct horse battery';
const OWNER = 'owner@trends.example';
const ELENA = 'elena@trends.example';

/** `YYYY-MM` of the month `back` months before the current one (UTC). */
function monthBack(back: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
}

/**
 * GET /app/api/analytics/trends: the overview's monthly series from hand-made orders over three
 * months (a guest order, a cancelled one, a refund, a same-day second order, a customer who comes
 * back within a month), checked value by value; then one score run gives one CLV and health point.
 */
describeEachDb('dashboard API: overview trends', (getDb) => {
  let t: TestApp;
  let key: string;
  let storeId: string;
  let owner: Record<string, string>;

  beforeAll(async () => {
    ({ storeId, key } = await storeWithKey(getDb(), 'trends'));
    const ids = createIdGenerator();
    await createStaffUser(getDb(), ids, storeId, { email: OWNER, role: 'owner', password: PASSWORD });
    await createStaffUser(getDb(), ids, storeId, {
      email: ELENA,
      role: 'account_manager',
      password: PASSWORD,
    });
    t = await testApp(getDb());
    const order = async (
      id: string,
      customer: string | null,
      month: number,
      day: number,
      total: number,
      status = 'paid',
    ) => {
      const res = await t.call(
        'POST',
        '/v1/orders',
        {
          external_id: id,
          customer: customer
            ? { external_id: customer, account_manager: customer === 'd' ? ELENA : undefined }
            : null,
          placed_at: `${monthBack(month)}-${String(day).padStart(2, '0')}T10:00:00Z`,
          currency: 'EUR',
          status,
          lines: [{ sku: 'mug', quantity: 1, unit_price_minor: total }],
        },
        { key },
      );
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    };
    // Two months ago: A; B twice on one day (not a return); a guest, left out.
    await order('o1', 'a', 2, 5, 10_000);
    await order('o2', 'b', 2, 5, 20_000);
    await order('o3', 'b', 2, 5, 5_000);
    await order('o4', null, 2, 6, 99_999);
    // Last month: A again; C first and again later that month; B's cancelled order, left out.
    await order('o5', 'a', 1, 3, 30_000);
    await order('o6', 'c', 1, 4, 8_000);
    await order('o7', 'c', 1, 20, 4_000);
    await order('o8', 'b', 1, 9, 50_000, 'cancelled');
    // This month: A again, 4,000 of it refunded; D (Elena's) for the first time.
    await order('o9', 'a', 0, 1, 10_000);
    await order('o10', 'd', 0, 2, 12_000);
    const refund = await t.call(
      'POST',
      '/v1/refunds',
      {
        external_id: 'r1',
        order_external_id: 'o9',
        refunded_at: `${monthBack(0)}-02T09:00:00Z`,
        currency: 'EUR',
        amount_minor: 4_000,
      },
      { key },
    );
    expect(refund.status, JSON.stringify(refund.body)).toBeLessThan(300);
    owner = await staffHeaders(t, OWNER, PASSWORD);
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('computes orders, buyers, AOV, frequency, repeat rate, returning revenue and retention per month, net of refunds', async () => {
    const res = await t.call('GET', '/app/api/analytics/trends', undefined, {
      headers: { cookie: owner.cookie },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.currency).toBe('EUR');
    const months = res.body.months;
    expect(months.map((m: { month: string }) => m.month)).toEqual(
      Array.from({ length: 12 }, (_, i) => monthBack(11 - i)),
    );
    for (const m of months.slice(0, 9)) {
      expect(m).toMatchObject({
        orders: 0,
        customers: 0,
        revenueMinor: 0,
        aovMinor: null,
        retentionRate: null,
      });
    }
    expect(months[9]).toEqual({
      month: monthBack(2),
      orders: 3,
      customers: 2,
      revenueMinor: 35_000,
      aovMinor: 35_000 / 3,
      purchaseFrequency: 1.5,
      repeatPurchaseRate: 0,
      returningRevenueShare: 0,
      previousCustomers: 0,
      retained: 0,
      retentionRate: null,
    });
    expect(months[10]).toEqual({
      month: monthBack(1),
      orders: 3,
      customers: 2,
      revenueMinor: 42_000,
      aovMinor: 14_000,
      purchaseFrequency: 1.5,
      repeatPurchaseRate: 1,
      returningRevenueShare: 34_000 / 42_000,
      previousCustomers: 2,
      retained: 1,
      retentionRate: 0.5,
    });
    expect(months[11]).toEqual({
      month: monthBack(0),
      orders: 2,
      customers: 2,
      revenueMinor: 18_000,
      aovMinor: 9_000,
      purchaseFrequency: 1,
      repeatPurchaseRate: 0.5,
      returningRevenueShare: 6_000 / 18_000,
      previousCustomers: 2,
      retained: 1,
      retentionRate: 0.5,
    });
    expect(res.body.runs).toEqual([]);
  });

  it("limits the months to one account manager's customers, and refuses the route to account managers", async () => {
    const mine = await monthlyTrends(getDb(), storeId, ELENA, new Date());
    expect(mine.reduce((n, m) => n + m.orders, 0)).toBe(1);
    expect(mine[11]).toMatchObject({ orders: 1, customers: 1, revenueMinor: 12_000, repeatPurchaseRate: 0 });
    const res = await t.call('GET', '/app/api/analytics/trends', undefined, {
      headers: await staffHeaders(t, ELENA, PASSWORD),
    });
    expect(res.status).toBe(403);
  });

  it("gives one CLV and health point per finished score run, equal to that run's report", async () => {
    const run = await t.call('POST', '/app/api/analytics/recompute', undefined, { headers: owner });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const report = (
      await t.call('GET', '/app/api/analytics', undefined, { headers: { cookie: owner.cookie } })
    ).body.latest.report;
    const res = await t.call('GET', '/app/api/analytics/trends', undefined, {
      headers: { cookie: owner.cookie },
    });
    expect(res.body.runs).toHaveLength(1);
    const life = report.segments.lifecycle;
    expect(res.body.runs[0]).toMatchObject({
      simpleClv: report.summary.simpleClv,
      active: (life.active ?? 0) + (life.vip ?? 0) + (life.new ?? 0),
      atRisk: life.at_risk ?? 0,
      sleeping: report.segments.sleeping,
    });
    expect(res.body.runs[0].active + res.body.runs[0].atRisk).toBeGreaterThan(0);
  });
});
