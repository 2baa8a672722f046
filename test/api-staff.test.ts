import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDemoStore } from '../src/demo/load.ts';
import { buildApp } from '../src/http/app.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { DEMO_OWNER_EMAIL } from '../src/staff/demo-owner.ts';
import { createStaffUser } from '../src/staff/repository.ts';
import { createApiKey, createStore } from '../src/stores/repository.ts';
import { systemClock } from '../src/system-clock.ts';
import { describeEachDb } from './db.ts';
import { addStaff, type TestApp, testApp } from './helpers.ts';

const PASSWORD = 'correct horse battery';
const ELENA = 'elena.manager@example.com';
const MEHMET = 'mehmet.manager@example.com';

interface Session {
  cookie: string;
  csrf: string;
}

describeEachDb('dashboard sign-in, sessions, CSRF and roles', (getDb) => {
  let t: TestApp;
  let storeId: string;
  let apiKey: string;
  let demoPassword: string;
  const ids = createIdGenerator();

  async function login(email: string, password = PASSWORD, extra: Record<string, string> = {}) {
    return t.call('POST', '/app/api/login', { email, password, ...extra });
  }
  async function session(email: string, password = PASSWORD): Promise<Session> {
    const res = await login(email, password);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    return { cookie: setCookie.split(';')[0], csrf: res.body.csrf_token };
  }
  function as(s: Session) {
    return {
      get: (url: string) => t.call('GET', url, undefined, { headers: { cookie: s.cookie } }),
      post: (url: string, headers: Record<string, string> = { 'x-csrf-token': s.csrf }) =>
        t.call('POST', url, {}, { headers: { cookie: s.cookie, ...headers } }),
    };
  }

  beforeAll(async () => {
    const ctx = { db: getDb(), ids, clock: systemClock };
    // History up to today, as `npm start` makes it (the report is computed as of today).
    const demo = await loadDemoStore(ctx, { customers: 300, seed: 11, now: new Date() });
    storeId = demo.storeId;
    demoPassword = demo.login!.password;
    apiKey = (await createApiKey(getDb(), ids, storeId)).secret;
    await addStaff(getDb(), ids, storeId, PASSWORD, [
      ['marketer@demo.example', 'marketer'],
      [ELENA, 'account_manager'],
      [MEHMET, 'account_manager'],
    ]);
    t = await testApp(getDb());
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('signs the demo owner in with the generated password and sets an HttpOnly, SameSite=Lax session cookie', async () => {
    const res = await login(DEMO_OWNER_EMAIL.toUpperCase(), demoPassword);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: DEMO_OWNER_EMAIL, role: 'owner' });
    expect(res.body.store.slug).toBe('demo');
    expect(res.body.permissions).toEqual([
      'analytics',
      'customers:all',
      'settings',
      'api_keys',
      'promotions',
      'loyalty',
      'imports',
    ]);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^cb_session=[\w-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure'); // plain http here; https deployments set COMEBACK_PUBLIC_URL
  });

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const wrong = await login(DEMO_OWNER_EMAIL, 'not the password');
    const unknown = await login('nobody@demo.example', 'not the password');
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Wrong email or password' });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('stores passwords as scrypt hashes and sessions as token hashes only', async () => {
    const s = await session('marketer@demo.example');
    const users = await getDb().query<{ password_hash: string }>('select password_hash from staff_users');
    for (const u of users.rows) expect(u.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const token = s.cookie.split('=')[1];
    const rows = await getDb().query('select 1 from staff_sessions where id = $1', [token]);
    expect(rows.rows).toHaveLength(0);
  });

  it('answers 401 without a session, and the session does not open the API-key routes', async () => {
    expect((await t.call('GET', '/app/api/me')).status).toBe(401);
    expect((await t.call('GET', '/app/api/analytics')).status).toBe(401);
    const s = await session(ELENA);
    expect((await as(s).get('/v1/customers')).status).toBe(401);
    expect(
      (await t.call('GET', '/app/api/me', undefined, { headers: { cookie: 'cb_session=forged' } })).status,
    ).toBe(401);
  });

  it('refuses a state-changing request without the CSRF token, with a wrong one, or from another site', async () => {
    const s = await session('marketer@demo.example');
    const none = await as(s).post('/app/api/analytics/recompute', {});
    expect(none.status).toBe(403);
    expect(none.body.error.message).toContain('x-csrf-token');
    expect(
      (await as(s).post('/app/api/analytics/recompute', { 'x-csrf-token': 'x'.repeat(32) })).status,
    ).toBe(403);
    const other = await session(MEHMET);
    // Another session's token is not this session's token.
    expect((await as(s).post('/app/api/analytics/recompute', { 'x-csrf-token': other.csrf })).status).toBe(
      403,
    );
    const crossSite = await t.call(
      'POST',
      '/app/api/login',
      { email: ELENA, password: PASSWORD },
      { headers: { origin: 'https://evil.example', host: 'localhost:3000' } },
    );
    expect(crossSite.status).toBe(403);
    const ok = await as(s).post('/app/api/analytics/recompute');
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.status).toBe('done');
  });

  it('gives owners and marketers the store report the API gives, and account managers none of it', async () => {
    const owner = await session(DEMO_OWNER_EMAIL, demoPassword);
    const dash = await as(owner).get('/app/api/analytics');
    expect(dash.status).toBe(200);
    const api = await t.call('GET', '/v1/analytics', undefined, { key: apiKey });
    expect(dash.body.latest.report).toEqual(api.body.report);
    expect(dash.body.counts).toBeNull();
    expect((await as(await session('marketer@demo.example')).get('/app/api/analytics')).status).toBe(200);
    const am = await session(ELENA);
    expect((await as(am).get('/app/api/analytics')).status).toBe(403);
    expect((await as(am).post('/app/api/analytics/recompute')).status).toBe(403);
  });

  it('keeps settings and API keys to the owner', async () => {
    const owner = await as(await session(DEMO_OWNER_EMAIL, demoPassword)).get('/app/api/settings');
    expect(owner.status).toBe(200);
    expect(owner.body.users.map((u: { email: string }) => u.email)).toContain(ELENA);
    expect(owner.body.api_keys.length).toBeGreaterThan(0);
    expect(JSON.stringify(owner.body)).not.toContain('password');
    expect(JSON.stringify(owner.body)).not.toContain(demoPassword);
    for (const email of ['marketer@demo.example', ELENA]) {
      const res = await as(await session(email)).get('/app/api/settings');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('limits an account manager to their own customers: list, search, call list and the 360 view', async () => {
    const am = as(await session(ELENA));
    const own = await am.get('/app/api/customers?limit=500');
    expect(own.status).toBe(200);
    expect(own.body.data.length).toBeGreaterThan(0);
    for (const c of own.body.data) expect(c.account_manager).toBe(ELENA);
    expect((await am.get(`/app/api/customers?account_manager=${MEHMET}`)).status).toBe(403);

    const theirs = await getDb().query<{ id: string; email: string }>(
      'select id, email from customers where store_id = $1 and account_manager = $2 limit 1',
      [storeId, MEHMET],
    );
    const other = theirs.rows[0];
    const denied = await am.get(`/app/api/customers/${other.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    const mine = await am.get(`/app/api/customers/${own.body.data[0].id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.orders.length).toBeGreaterThan(0);

    const search = await am.get(`/app/api/customers?q=${encodeURIComponent(other.email)}`);
    expect(search.body.data).toHaveLength(0);
    const ownSearch = await am.get(`/app/api/customers?q=${encodeURIComponent(own.body.data[0].email)}`);
    expect(ownSearch.body.data.map((c: { id: string }) => c.id)).toContain(own.body.data[0].id);

    const calls = await am.get('/app/api/call-list');
    expect(calls.status).toBe(200);
    for (const c of calls.body.data) expect(c.account_manager).toBe(ELENA);
    const options = await am.get('/app/api/filter-options');
    expect(options.body.managers.map((m: { account_manager: string }) => m.account_manager)).toEqual([ELENA]);
  });

  it('gives owners every customer, the call list biggest spenders first, and a search by name', async () => {
    const owner = as(await session(DEMO_OWNER_EMAIL, demoPassword));
    const other = await getDb().query<{ id: string; last_name: string }>(
      'select id, last_name from customers where store_id = $1 and account_manager = $2 limit 1',
      [storeId, MEHMET],
    );
    expect((await owner.get(`/app/api/customers/${other.rows[0].id}`)).status).toBe(200);
    const search = await owner.get(`/app/api/customers?q=${encodeURIComponent(other.rows[0].last_name)}`);
    expect(search.body.data.map((c: { id: string }) => c.id)).toContain(other.rows[0].id);
    const calls = (await owner.get('/app/api/call-list')).body.data as Array<{
      lifecycle_stage: string;
      total_spend_minor: number;
      reason: string;
    }>;
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) expect(['at_risk', 'sleeping']).toContain(c.lifecycle_stage);
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i].total_spend_minor).toBeLessThanOrEqual(calls[i - 1].total_spend_minor);
    }
    const sleeping = await owner.get('/app/api/customers?sleeping=true&limit=5');
    for (const c of sleeping.body.data) expect(c.sleeping).toBe(true);
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const s = await session(MEHMET);
    const out = await as(s).post('/app/api/logout');
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/cb_session=;/);
    expect((await as(s).get('/app/api/me')).status).toBe(401);
  });

  it('asks which store when one login works for several', async () => {
    const other = await createStore(getDb(), ids, { slug: 'second-shop' });
    await createStaffUser(getDb(), ids, other.id, { email: ELENA, role: 'owner', password: PASSWORD });
    const both = await login(ELENA);
    expect(both.status).toBe(422);
    expect(both.body.error.details[0]).toMatchObject({ path: 'store' });
    expect(both.body.error.details[0].message).toContain('second-shop');
    const chosen = await login(ELENA, PASSWORD, { store: 'second-shop' });
    expect(chosen.status).toBe(200);
    expect(chosen.body.user.role).toBe('owner');
  });

  it('creates users through the admin API (the CLI path) and refuses short passwords and duplicates', async () => {
    const admin = { headers: { authorization: 'Bearer test-admin-token' } };
    const created = await t.call(
      'POST',
      '/admin/v1/stores/demo/users',
      { email: 'New.Person@Demo.Example', role: 'marketer', password: PASSWORD },
      admin,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'new.person@demo.example', role: 'marketer' });
    expect(created.body.password_hash).toBeUndefined();
    const again = await t.call(
      'POST',
      '/admin/v1/stores/demo/users',
      { email: 'new.person@demo.example', role: 'marketer', password: PASSWORD },
      admin,
    );
    expect(again.status).toBe(409);
    const short = await t.call(
      'POST',
      '/admin/v1/stores/demo/users',
      { email: 'short@demo.example', role: 'owner', password: 'short' },
      admin,
    );
    expect(short.status).toBe(422);
    expect(short.body.error.details).toEqual([
      { path: 'password', message: 'must be at least 10 characters' },
    ]);
    const noToken = await t.call('POST', '/admin/v1/stores/demo/users', {
      email: 'x@demo.example',
      role: 'owner',
      password: PASSWORD,
    });
    expect(noToken.status).toBe(401);
  });
});

describeEachDb('dashboard pages', (getDb) => {
  it('serves the built dashboard on its pages with a CSP, and explains a missing build instead of failing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'comeback-web-'));
    writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><title>Comeback</title><div id="root"></div>',
    );
    const ctx = { db: getDb(), ids: createIdGenerator(), clock: systemClock, version: 'test' };
    const built = await buildApp(ctx, { dashboard: { webDir: dir } });
    for (const url of ['/', '/customers', '/customers/cus_x', '/segments', '/settings']) {
      const res = await built.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
    expect((await built.inject({ url: '/v1/store' })).statusCode).toBe(401);
    expect((await built.inject({ url: '/docs/' })).statusCode).toBeLessThan(400);
    expect((await built.inject({ url: '/no-such-page' })).statusCode).toBe(404);
    await built.close();

    const missing = await buildApp(ctx, { dashboard: { webDir: path.join(dir, 'nope') } });
    const res = await missing.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
    await missing.close();
  });
});
