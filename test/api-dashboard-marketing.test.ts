import { afterAll, beforeAll, expect, it } from 'vitest';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { createStaffUser } from '../src/staff/repository.ts';
import { describeEachDb } from './db.ts';
import { staffHeaders, storeWithKey, type TestApp, testApp } from './helpers.ts';

const PASSWORD = 'correct horse battery';
const OWNER = 'owner@shop.example';
const MARKETER = 'marketer@shop.example';
const ELENA = 'elena@shop.example';

/**
 * The dashboard's loyalty and promotions API (/app/api): the same schemas and repositories as /v1,
 * behind a session; owners and marketers may use it, account managers are refused.
 */
describeEachDb('dashboard API: loyalty and promotions', (getDb) => {
  let t: TestApp;
  let key: string;
  let ownCustomer: string;
  let otherCustomer: string;
  const sessions = new Map<string, Record<string, string>>();

  async function session(email: string): Promise<Record<string, string>> {
    const s = sessions.get(email) ?? (await staffHeaders(t, email, PASSWORD));
    sessions.set(email, s);
    return s;
  }
  async function as(email: string, method: string, url: string, body?: unknown) {
    return t.call(method, url, body, { headers: await session(email) });
  }

  beforeAll(async () => {
    const store = await storeWithKey(getDb(), 'marketing');
    key = store.key;
    const ids = createIdGenerator();
    for (const [email, role] of [
      [OWNER, 'owner'],
      [MARKETER, 'marketer'],
      [ELENA, 'account_manager'],
    ] as const) {
      await createStaffUser(getDb(), ids, store.storeId, { email, role, password: PASSWORD });
    }
    t = await testApp(getDb());
    const own = await t.call(
      'POST',
      '/v1/customers',
      { external_id: 'c-own', email: 'own@example.com', account_manager: ELENA },
      { key },
    );
    const other = await t.call(
      'POST',
      '/v1/customers',
      { external_id: 'c-other', email: 'other@example.com', first_name: 'Olga' },
      { key },
    );
    ownCustomer = own.body.id;
    otherCustomer = other.body.id;
  });
  afterAll(async () => {
    await t?.app.close();
  });

  it('has no program at first, then saves one through the /v1 schema (snake_case) and reads it back as /v1 does', async () => {
    const first = await as(MARKETER, 'GET', '/app/api/loyalty/program');
    expect(first.status).toBe(404);
    // The page's question "is there a program?" answers without a 404.
    expect((await as(MARKETER, 'GET', '/app/api/loyalty/setup')).body).toEqual({ program: null });
    const started = await as(MARKETER, 'PUT', '/app/api/loyalty/program', { currency: 'EUR' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({ currency: 'EUR', expiry_days: 90, pending_days: 14 });
    const program = { ...started.body, expiry_days: 180, earn: { points: 2, per_amount_minor: 100 } };
    const saved = await as(MARKETER, 'PUT', '/app/api/loyalty/program', program);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const v1 = await t.call('GET', '/v1/loyalty/program', undefined, { key });
    expect(v1.body).toEqual(saved.body);
    expect(v1.body.expiry_days).toBe(180);
    expect((await as(OWNER, 'GET', '/app/api/loyalty/program')).body).toEqual(v1.body);
    expect((await as(OWNER, 'GET', '/app/api/loyalty/setup')).body).toEqual({ program: v1.body });
  });

  it('refuses an invalid program with the path of each wrong field and keeps the saved one', async () => {
    const current = (await as(OWNER, 'GET', '/app/api/loyalty/program')).body;
    const bad = await as(OWNER, 'PUT', '/app/api/loyalty/program', {
      ...current,
      expiry_days: 0,
      redemption: { ...current.redemption, max_share_bps: 20_000 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const paths = bad.body.error.details.map((d: { path: string }) => d.path);
    expect(paths.join(' ')).toContain('expiry_days');
    expect(paths.join(' ')).toContain('redemption.max_share_bps');
    expect((await as(OWNER, 'GET', '/app/api/loyalty/program')).body).toEqual(current);
  });

  it("adjusts a customer's points with a reason, signed by the session's user, and shows the entry in the ledger", async () => {
    const url = `/app/api/customers/${otherCustomer}/loyalty/adjustments`;
    expect((await as(MARKETER, 'POST', url, { points: 50, reason: ' ' })).status).toBe(422);
    const forged = await as(MARKETER, 'POST', url, {
      points: 50,
      reason: 'Parcel arrived late',
      staff_user_id: 'someone-else',
    });
    expect(forged.status, JSON.stringify(forged.body)).toBe(201);
    const ledger = await as(OWNER, 'GET', `/app/api/customers/${otherCustomer}/loyalty`);
    expect(ledger.status).toBe(200);
    expect(ledger.body).toMatchObject({ balance: 50, available: 50, pending: 0 });
    expect(ledger.body.entries).toHaveLength(1);
    expect(ledger.body.entries[0]).toMatchObject({
      kind: 'adjust_credit',
      points: 50,
      reason: 'Parcel arrived late',
      source: { type: 'staff', userId: MARKETER },
    });
    const v1 = await t.call('GET', '/v1/customers/c-other/loyalty', undefined, { key });
    expect(v1.body.balance).toBe(50);
    const tier = await as(MARKETER, 'GET', `/app/api/customers/${otherCustomer}/tier`);
    expect(tier.status).toBe(200);
    expect(tier.body).toEqual({ tier: null, grace_until: null, rolling_spend_minor: 0, rolling_orders: 0 });
    const tooMuch = await as(OWNER, 'POST', url, { points: -80, reason: 'Correction' });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.message).toContain('Only 50 points are available');
  });

  it('creates, lists, edits and archives a promotion as /v1 does, and generates and exports its codes', async () => {
    const created = await as(MARKETER, 'POST', '/app/api/promotions', {
      name: 'Welcome back 15 %',
      trigger: { type: 'unique_codes' },
      currency: 'EUR',
      limits: { total_uses: 100, uses_per_customer: 1, budget_minor: 50_000 },
      conditions: [{ code: 'min_subtotal', args: { amount_minor: 3_000 } }],
      actions: [{ code: 'percent_off', args: { percent_bps: 1_500 } }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect(created.body.usage).toMatchObject({
      uses: 0,
      max_uses: 100,
      budget_minor: 50_000,
      budget_spent_minor: 0,
    });
    const list = await as(OWNER, 'GET', '/app/api/promotions');
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([id]);
    expect(list.body.data[0]).toEqual((await t.call('GET', `/v1/promotions/${id}`, undefined, { key })).body);

    const bad = await as(MARKETER, 'PATCH', `/app/api/promotions/${id}`, { limits: { total_uses: 0 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toContain('limits.total_uses');
    const edited = await as(MARKETER, 'PATCH', `/app/api/promotions/${id}`, {
      name: 'Welcome back 20 %',
      actions: [{ code: 'percent_off', args: { percent_bps: 2_000 } }],
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Welcome back 20 %', limits: { total_uses: 100 } });

    const codes = await as(MARKETER, 'POST', `/app/api/promotions/${id}/codes`, { count: 25, prefix: 'WB' });
    expect(codes.status, JSON.stringify(codes.body)).toBe(201);
    expect(codes.body.count).toBe(25);
    const listed = await as(OWNER, 'GET', `/app/api/promotions/${id}/codes`);
    expect(listed.body.data.map((c: { code: string }) => c.code).sort()).toEqual(
      [...codes.body.codes].sort(),
    );
    const s = await session(OWNER);
    const csv = await t.app.inject({
      method: 'GET',
      url: `/app/api/promotions/${id}/codes`,
      headers: { cookie: s.cookie, accept: 'text/csv' },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('code,customer_id,redeemed_at,balance_minor,expires_at,created_at');
    expect(lines).toHaveLength(26);

    const archived = await as(OWNER, 'PATCH', `/app/api/promotions/${id}`, { status: 'archived' });
    expect(archived.body.status).toBe('archived');
    expect((await as(OWNER, 'GET', '/app/api/promotions?status=active')).body.data).toEqual([]);
  });

  it('refuses account managers every promotions and loyalty route with 403', async () => {
    const promo = (await as(OWNER, 'GET', '/app/api/promotions')).body.data[0].id;
    for (const [method, url, body] of [
      ['GET', '/app/api/promotions', undefined],
      ['POST', '/app/api/promotions', { name: 'x', trigger: { type: 'automatic' }, actions: [] }],
      ['PATCH', `/app/api/promotions/${promo}`, { status: 'active' }],
      ['POST', `/app/api/promotions/${promo}/codes`, { count: 1 }],
      ['GET', `/app/api/promotions/${promo}/codes`, undefined],
      ['GET', '/app/api/loyalty/program', undefined],
      ['GET', '/app/api/loyalty/setup', undefined],
      ['PUT', '/app/api/loyalty/program', { currency: 'EUR' }],
      ['GET', `/app/api/customers/${ownCustomer}/loyalty`, undefined],
      ['GET', `/app/api/customers/${ownCustomer}/tier`, undefined],
      ['POST', `/app/api/customers/${ownCustomer}/loyalty/adjustments`, { points: 5, reason: 'x' }],
    ] as const) {
      const res = await as(ELENA, method, url, body);
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await as(OWNER, 'GET', '/app/api/promotions')).body.data[0].status).toBe('archived');
  });

  it('leaves the mounted routes out of the OpenAPI document', async () => {
    const doc = await t.call('GET', '/docs/json');
    const paths = Object.keys(doc.body.paths ?? {});
    expect(paths.some((p) => p.startsWith('/app/api/promotions') || p.startsWith('/app/api/loyalty'))).toBe(
      false,
    );
    expect(paths).toContain('/v1/promotions');
  });
});
