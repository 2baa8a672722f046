import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../src/db/client.ts';
import { loadDemoStore } from '../src/demo/load.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { recomputeStoreScores } from '../src/scores/jobs.ts';
import { createApiKey } from '../src/stores/repository.ts';
import { systemClock } from '../src/system-clock.ts';
import { describeEachDb } from './db.ts';
import { addStaff, staffHeaders, type TestApp, testApp } from './helpers.ts';

/**
 * The dashboard's operational routes on both databases: call outcomes (roles, append-only, the call
 * list's rest rule, the /v1 twin), CSV imports, settings editing and API keys, and the sign-in limit.
 */

const PASSWORD = 'correct horse battery';
const ELENA = 'elena.manager@example.com';
const MEHMET = 'mehmet.manager@example.com';

describeEachDb('dashboard operations: calls, imports, settings, sign-in limits', (getDb) => {
  let t: TestApp;
  let storeId: string;
  let apiKey: string;
  const ids = createIdGenerator();
  const sessions: Record<string, Record<string, string>> = {};

  async function as(email: string) {
    sessions[email] ??= await staffHeaders(t, email, PASSWORD);
    const headers = sessions[email];
    return {
      get: (url: string) => t.call('GET', url, undefined, { headers }),
      post: (url: string, body: unknown = {}) => t.call('POST', url, body, { headers }),
      patch: (url: string, body: unknown) => t.call('PATCH', url, body, { headers }),
      delete: (url: string) => t.call('DELETE', url, undefined, { headers }),
      raw: (method: string, url: string, raw: string, extra: Record<string, string>) =>
        t.call(method, url, undefined, { headers: { ...headers, ...extra }, raw }),
    };
  }
  const v1 = (method: string, url: string, body?: unknown) => t.call(method, url, body, { key: apiKey });

  beforeAll(async () => {
    const ctx = { db: getDb(), ids, clock: systemClock };
    const demo = await loadDemoStore(ctx, { customers: 300, seed: 11, now: new Date() });
    storeId = demo.storeId;
    await recomputeStoreScores(ctx, storeId, 'test');
    // The demo's dates follow today's, so how many of each manager's customers are at risk or
    // sleeping varies by the day: give each manager four on the call list, whatever the date.
    const listed = await getDb().query<{ customer_id: string }>(
      `select customer_id from customer_scores where store_id = $1 and lifecycle_stage in ('at_risk', 'sleeping')
       order by customer_id limit 8`,
      [storeId],
    );
    expect(listed.rows.length).toBe(8);
    for (const [i, r] of listed.rows.entries())
      await getDb().query('update customers set account_manager = $3 where store_id = $1 and id = $2', [
        storeId,
        r.customer_id,
        i % 2 === 0 ? ELENA : MEHMET,
      ]);
    apiKey = (await createApiKey(getDb(), ids, storeId)).secret;
    await addStaff(getDb(), ids, storeId, PASSWORD, [
      ['owner2@demo.example', 'owner'],
      ['marketer@demo.example', 'marketer'],
      [ELENA, 'account_manager'],
      [MEHMET, 'account_manager'],
    ]);
    t = await testApp(getDb());
  });
  afterAll(async () => {
    await t.app.close();
  });

  const used = new Set<string>();
  /** A customer on `manager`'s call list (at risk or sleeping, assigned to them) no other test used. */
  async function onListOf(manager: string): Promise<{ id: string }> {
    const list = await (await as(manager)).get('/app/api/call-list?limit=200');
    expect(list.status).toBe(200);
    const c = list.body.data.find((x: { id: string }) => !used.has(x.id));
    expect(c, `a customer on the call list of ${manager}`).toBeDefined();
    used.add(c.id);
    return c;
  }

  it("logs an account manager's call on their own customer, shows it on the timeline and as the last call, and refuses another manager's customer", async () => {
    const elena = await as(ELENA);
    const mine = await onListOf(ELENA);
    const theirs = await onListOf(MEHMET);
    const logged = await elena.post(`/app/api/customers/${mine.id}/calls`, {
      outcome: 'no_answer',
      note: 'Rang twice',
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(201);
    expect(logged.body).toMatchObject({ outcome: 'no_answer', note: 'Rang twice', called_by: ELENA });
    expect(logged.body.id).toMatch(/^cal_/);
    // No answer: still on today's list, with the attempt shown.
    const list = (await elena.get('/app/api/call-list?limit=200')).body.data;
    const row = list.find((c: { id: string }) => c.id === mine.id);
    expect(row).toMatchObject({ last_call_outcome: 'no_answer', last_call_note: 'Rang twice' });

    const refused = await elena.post(`/app/api/customers/${theirs.id}/calls`, { outcome: 'reached' });
    expect(refused.status).toBe(403);
    expect((await elena.get(`/app/api/customers/${theirs.id}/calls`)).status).toBe(403);
    expect((await v1('GET', `/v1/customers/${theirs.id}/calls`)).body.data).toEqual([]);
  });

  it('takes a customer who was reached off the call list for two weeks', async () => {
    const mehmet = await as(MEHMET);
    const c = await onListOf(MEHMET);
    const res = await mehmet.post(`/app/api/customers/${c.id}/calls`, {
      outcome: 'order_promised',
      note: 'Will reorder the blue one on Friday',
    });
    expect(res.status).toBe(201);
    const list = (await mehmet.get('/app/api/call-list?limit=200')).body.data;
    expect(list.map((x: { id: string }) => x.id)).not.toContain(c.id);
    const history = await mehmet.get(`/app/api/customers/${c.id}/calls`);
    expect(history.body.data[0]).toMatchObject({ outcome: 'order_promised', source: 'dashboard' });
  });

  /** Any customer of `manager` no other test used. */
  async function customerOf(manager: string): Promise<{ id: string }> {
    const list = await v1('GET', `/v1/customers?account_manager=${manager}&limit=100`);
    const c = list.body.data.find((x: { id: string }) => !used.has(x.id));
    used.add(c.id);
    return c;
  }

  it('keeps call outcomes append-only: new entries only, the database refuses an update', async () => {
    const c = await customerOf(ELENA);
    const owner = await as('owner2@demo.example');
    await owner.post(`/app/api/customers/${c.id}/calls`, { outcome: 'reached', note: 'first' });
    await owner.post(`/app/api/customers/${c.id}/calls`, { outcome: 'problem_found', note: 'second' });
    const all = (await owner.get(`/app/api/customers/${c.id}/calls`)).body.data;
    expect(all.slice(0, 2).map((x: { note: string }) => x.note)).toEqual(['second', 'first']);
    await expect(
      getDb().query(`update call_outcomes set note = 'changed' where store_id = $1`, [storeId]),
    ).rejects.toThrow(/append-only/);
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/customers/${c.id}/calls` })).statusCode).toBe(
      404,
    );
  });

  it('validates call outcomes: an unknown outcome or an over-long note is a 422 naming the field', async () => {
    const c = await customerOf(ELENA);
    const elena = await as(ELENA);
    const bad = await elena.post(`/app/api/customers/${c.id}/calls`, { outcome: 'maybe' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe('outcome');
    const long = await elena.post(`/app/api/customers/${c.id}/calls`, {
      outcome: 'reached',
      note: 'x'.repeat(2001),
    });
    expect(long.status).toBe(422);
    expect(long.body.error.details[0].path).toBe('note');
  });

  it('syncs calls with a CRM over /v1: POST with who and when, GET newest first, 404 for an unknown customer', async () => {
    const c = await customerOf(ELENA);
    const posted = await v1('POST', `/v1/customers/${c.id}/calls`, {
      outcome: 'reached',
      note: 'From the CRM',
      called_by: 'Crm.User@shop.example',
      called_at: '2026-01-05T10:00:00Z',
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    expect(posted.body).toMatchObject({ source: 'api', called_by: 'crm.user@shop.example' });
    const list = await v1('GET', `/v1/customers/${c.id}/calls`);
    expect(list.status).toBe(200);
    expect(list.body.data.some((x: { note: string }) => x.note === 'From the CRM')).toBe(true);
    expect((await v1('GET', '/v1/customers/cus_nobody/calls')).status).toBe(404);
    const spec = (await t.call('GET', '/openapi.json')).body;
    expect(spec.paths['/v1/customers/{id}/calls'].post.summary).toContain('Log the outcome');
  });

  const CSV = [
    'customer_id,email,first_name,last_name,birthday',
    'imp-1,ana@import.example,Ana,Popa,1990-04-02',
    'imp-2,bob@import.example,Bob,Stan,1985-13-40',
    'imp-3,cem@import.example,Cem,Yilmaz,',
  ].join('\n');

  it('imports a CSV from the dashboard with ndjson progress, the report, the rejected row and its download; the run lands in the history', async () => {
    const marketer = await as('marketer@demo.example');
    const res = await marketer.raw(
      'POST',
      '/app/api/imports?kind=customers&format=generic&file_name=people.csv',
      CSV,
      { 'content-type': 'text/csv', accept: 'application/x-ndjson' },
    );
    expect(res.status).toBe(200);
    const lines = String(typeof res.body === 'string' ? res.body : JSON.stringify(res.body))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('progress');
    const last = lines.at(-1);
    expect(last.type).toBe('report');
    expect(last.report).toMatchObject({ rowsRead: 3, created: 2, rejected: 1, rejectsPath: null });
    expect(last.report.rejections[0]).toMatchObject({ line: 3, column: 'birthday' });
    const history = await marketer.get('/app/api/imports');
    const run = history.body.data[0];
    expect(run).toMatchObject({
      id: last.report.id,
      file_name: 'people.csv',
      status: 'done',
      has_rejects: true,
    });
    const download = await marketer.get(`/app/api/imports/${run.id}/rejects.csv`);
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toBe('attachment; filename="people.rejects.csv"');
    const csv = String(download.body).split('\n');
    expect(csv[0]).toBe('line,column,reason,customer_id,email,first_name,last_name,birthday');
    expect(csv[1]).toMatch(/^3,birthday,.*,imp-2,bob@import.example/);
  });

  it('refuses imports to account managers, and a JSON body', async () => {
    const elena = await as(ELENA);
    const refused = await elena.raw('POST', '/app/api/imports?kind=customers', CSV, {
      'content-type': 'text/csv',
    });
    expect(refused.status).toBe(403);
    expect((await elena.get('/app/api/imports')).status).toBe(403);
    const owner = await as('owner2@demo.example');
    expect((await owner.post('/app/api/imports?kind=customers', { rows: [] })).status).toBe(415);
    const badKind = await owner.raw('POST', '/app/api/imports?kind=planets', CSV, {
      'content-type': 'text/csv',
    });
    expect(badKind.status).toBe(422);
  });

  it('lets the owner edit the store, languages and analytics settings, says when scores are affected, and a recompute uses them', async () => {
    const owner = await as('owner2@demo.example');
    const same = await owner.patch('/app/api/settings', { name: 'Demo Shop', languages: ['EN', 'ro', 'en'] });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body).toMatchObject({
      store: { name: 'Demo Shop' },
      languages: ['en', 'ro'],
      scores_affected: false,
    });
    const res = await owner.patch('/app/api/settings', {
      currency: 'eur',
      timezone: 'Europe/Bucharest',
      analytics: { sleepingFactor: 2.5, cacMinor: 2500 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.store).toMatchObject({ currency: 'EUR', timezone: 'Europe/Bucharest' });
    expect(res.body.analytics).toMatchObject({ sleepingFactor: 2.5, cacMinor: 2500, horizonWeeks: 52 });
    expect(res.body.scores_affected).toBe(true);
    const read = await owner.get('/app/api/settings');
    expect(read.body).toMatchObject({ languages: ['en', 'ro'], analytics: { sleepingFactor: 2.5 } });
    expect((await owner.post('/app/api/analytics/recompute')).status).toBe(200);
    const report = await owner.get('/app/api/analytics');
    expect(report.body.latest.report.segments.sleepingFactor).toBe(2.5);
  });

  it('names each invalid setting: currency, time zone, language, sleeping factor, acquisition cost', async () => {
    const owner = await as('owner2@demo.example');
    const res = await owner.patch('/app/api/settings', {
      name: ' ',
      currency: 'EURO',
      timezone: 'Mars/Olympus',
      languages: ['not a language!'],
      analytics: { sleepingFactor: 0, cacMinor: -1 },
    });
    expect(res.status).toBe(422);
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(
      [
        'analytics.cacMinor',
        'analytics.sleepingFactor',
        'currency',
        'languages[0]',
        'name',
        'timezone',
      ].sort(),
    );
    const tz = res.body.error.details.find((d: { path: string }) => d.path === 'timezone');
    expect(tz.message).toContain('Europe/Bucharest');
  });

  it('creates an API key shown once that works on /v1, lists it by prefix, and revokes it', async () => {
    const owner = await as('owner2@demo.example');
    const made = await owner.post('/app/api/api-keys', { name: 'CRM sync' });
    expect(made.status).toBe(201);
    expect(made.body.secret.startsWith(made.body.key.prefix)).toBe(true);
    expect((await t.call('GET', '/v1/store', undefined, { key: made.body.secret })).status).toBe(200);
    const listed = (await owner.get('/app/api/settings')).body.api_keys;
    const row = listed.find((k: { id: string }) => k.id === made.body.key.id);
    expect(row).toMatchObject({ name: 'CRM sync', prefix: made.body.key.prefix, revoked_at: null });
    expect(JSON.stringify(listed)).not.toContain(made.body.secret);
    const revoked = await owner.delete(`/app/api/api-keys/${made.body.key.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect((await t.call('GET', '/v1/store', undefined, { key: made.body.secret })).status).toBe(401);
  });

  it('refuses settings changes and API keys to marketers and account managers', async () => {
    for (const email of ['marketer@demo.example', ELENA]) {
      const who = await as(email);
      expect((await who.patch('/app/api/settings', { name: 'Mine now' })).status).toBe(403);
      expect((await who.post('/app/api/api-keys', { name: 'x' })).status).toBe(403);
      expect((await who.delete('/app/api/api-keys/key_x')).status).toBe(403);
    }
  });

  it('records each step of a recompute in score_runs.progress, in order, for the dashboard to show', async () => {
    const db = getDb();
    const steps: string[] = [];
    const spy: Db = {
      ...db,
      query: ((sql: string, params?: unknown[]) => {
        if (sql.includes('set progress =')) steps.push(String(params?.[2]));
        return db.query(sql, params);
      }) as Db['query'],
    };
    const runId = await recomputeStoreScores({ db: spy, ids, clock: systemClock }, storeId, 'test');
    expect(steps[0]).toBe('loading orders');
    expect(steps).toContain('fitting BG/NBD');
    expect(steps.at(-1)).toMatch(/^saving the scores of [\d,]+ customers$/);
    const run = await db.query<{ progress: string }>('select progress from score_runs where id = $1', [
      runId,
    ]);
    expect(run.rows[0].progress).toBe(steps.at(-1));
  });

  /** A sign-in from `ip`. */
  async function signIn(email: string, password: string, ip: string) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/app/api/login',
      remoteAddress: ip,
      payload: { email, password },
    });
    return { status: res.statusCode, headers: res.headers, body: res.json() };
  }

  it('refuses sign-ins for an email after 5 failures in 15 minutes with 429 and Retry-After, even with the right password; a success before that starts the count again', async () => {
    const email = 'owner2@demo.example';
    for (let i = 0; i < 4; i++) expect((await signIn(email, 'wrong password!', '10.1.0.1')).status).toBe(401);
    expect((await signIn(email, PASSWORD, '10.1.0.2')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await signIn(email, 'wrong password!', '10.1.0.3')).status).toBe(401);
    const limited = await signIn(email, PASSWORD, '10.1.0.4');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    const retry = Number(limited.headers['retry-after']);
    expect(retry).toBeGreaterThan(14 * 60);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // Other accounts are not affected, and the table holds no email addresses.
    expect((await signIn('marketer@demo.example', PASSWORD, '10.1.0.4')).status).toBe(200);
    const keys = await getDb().query<{ key: string }>('select key from login_failures');
    expect(JSON.stringify(keys.rows)).not.toContain('@');
    // Once the window has passed, the account opens again.
    await getDb().query(`update login_failures set window_ends_at = now() - interval '1 second'`);
    expect((await signIn(email, PASSWORD, '10.1.0.4')).status).toBe(200);
  });

  it('refuses sign-ins from an IP address after 30 failures in 15 minutes, whatever the email', async () => {
    for (let i = 0; i < 30; i++) {
      expect((await signIn(`guess${i}@demo.example`, 'wrong password!', '10.2.0.1')).status).toBe(401);
    }
    const limited = await signIn(ELENA, PASSWORD, '10.2.0.1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn(ELENA, PASSWORD, '10.2.0.2')).status).toBe(200);
  });
});
