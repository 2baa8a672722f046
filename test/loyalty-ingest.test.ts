import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.ts';
import { parseOptionsFor, runImport } from '../src/imports/run-import.ts';
import { databaseSink } from '../src/imports/sink.ts';
import { createIdGenerator, ID_PREFIXES } from '../src/kernel/ids.ts';
import { DAY_MS } from '../src/kernel/time.ts';
import { planLedgerOperation } from '../src/loyalty/ledger.ts';
import { LoyaltyProgram, type LoyaltyProgramInput } from '../src/loyalty/program.ts';
import { applyLedgerDecision, loadLedger, saveProgram } from '../src/loyalty/repository.ts';
import { systemClock } from '../src/system-clock.ts';
import { describeEachDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

const PROGRAM: LoyaltyProgramInput = {
  currency: 'EUR',
  earn: { points: 1, perAmountMinor: 100 },
  bonuses: { firstOrder: 50 },
  pendingDays: 14,
  expiryDays: 90,
};

const daysAgo = (d: number) => new Date(Date.now() - d * DAY_MS).toISOString();

describeEachDb('loyalty points earned on ingest', (getDb, kind) => {
  let t: TestApp;
  let key: string;
  let storeId: string;
  let dir: string;
  const call = (method: string, url: string, body?: unknown) => t.call(method, url, body, { key });
  const entries = async (where = 'true') =>
    (
      await getDb().query<{ customer_id: string; key: string; kind: string; points: string | number }>(
        `select e.customer_id, e.key, e.kind, e.points from loyalty_entries e where e.store_id = $1 and ${where} order by seq`,
        [storeId],
      )
    ).rows.map((r) => ({ ...r, points: Number(r.points) }));
  const balance = async (customer: string) => (await call('GET', `/v1/customers/${customer}/loyalty`)).body;

  beforeAll(async () => {
    t = await testApp(getDb());
    ({ key, storeId } = await storeWithKey(getDb(), 'loyalty-ingest'));
    await saveProgram(getDb(), storeId, LoyaltyProgram.parse(PROGRAM));
    dir = await mkdtemp(join(tmpdir(), 'comeback-loyalty-ingest-'));
  });
  afterAll(async () => {
    await t?.app.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an order through the API earns its points (plus the first-order bonus), pending through the return window', async () => {
    const res = await call('POST', '/v1/orders', {
      external_id: 'o-1',
      customer: { external_id: 'ada', email: 'ada@example.com' },
      placed_at: daysAgo(1),
      currency: 'EUR',
      status: 'paid',
      lines: [{ sku: 'MUG', quantity: 2, unit_price_minor: 1250 }],
      shipping_minor: 490,
    });
    expect(res.status).toBe(201);
    expect(await entries()).toEqual([
      expect.objectContaining({ key: 'earn:o-1', kind: 'earn', points: 25 + 50 }),
    ]);
    const b = await balance('ada');
    expect(b).toMatchObject({ balance: 75, pending: 75, available: 0 });
    const ev = await getDb().query<{ kind: string; dedupe_key: string }>(
      'select kind, dedupe_key from loyalty_events where store_id = $1',
      [storeId],
    );
    const ada = (await entries())[0]?.customer_id;
    expect(ev.rows).toEqual([{ kind: 'points_earned', dedupe_key: `points_earned:${ada}:earn:o-1` }]);
  });

  it('re-sending and updating the same order never earns twice', async () => {
    const order = {
      external_id: 'o-1',
      customer: { external_id: 'ada', email: 'ada@example.com' },
      placed_at: daysAgo(1),
      currency: 'EUR',
      status: 'fulfilled',
      lines: [{ sku: 'MUG', quantity: 4, unit_price_minor: 1250 }],
    };
    expect((await call('POST', '/v1/orders', order)).status).toBe(200);
    expect((await call('POST', '/v1/orders/batch', { data: [order, order] })).status).toBeLessThan(300);
    expect((await entries()).length).toBe(1);
  });

  it('guests, unpaid and cancelled orders earn nothing; an open order earns once it is paid', async () => {
    const base = {
      placed_at: daysAgo(1),
      currency: 'EUR',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 5000 }],
    };
    await call('POST', '/v1/orders/batch', {
      data: [
        { ...base, external_id: 'guest-1', status: 'paid' },
        { ...base, external_id: 'o-open', customer: { external_id: 'bo' }, status: 'open' },
        { ...base, external_id: 'o-cancel', customer: { external_id: 'bo' }, status: 'cancelled' },
      ],
    });
    expect(await entries("key <> 'earn:o-1'")).toEqual([]);
    await call('POST', '/v1/orders', {
      ...base,
      external_id: 'o-open',
      customer: { external_id: 'bo' },
      status: 'paid',
    });
    expect(await entries("key = 'earn:o-open'")).toEqual([expect.objectContaining({ points: 50 + 50 })]);
  });

  it('the first-order bonus goes to the first paid order, as checkout counts first orders', async () => {
    const order = (id: string, days: number, status: string) => ({
      external_id: id,
      customer: { external_id: 'dee' },
      placed_at: daysAgo(days),
      currency: 'EUR',
      status,
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 2000 }],
    });
    // An older order never paid does not make the next paid one a repeat order.
    await call('POST', '/v1/orders', order('d-unpaid', 5, 'open'));
    await call('POST', '/v1/orders', order('d-1', 3, 'paid'));
    await call('POST', '/v1/orders', order('d-2', 2, 'paid'));
    expect(await entries("key in ('earn:d-1', 'earn:d-2')")).toEqual([
      expect.objectContaining({ key: 'earn:d-1', points: 20 + 50 }),
      expect.objectContaining({ key: 'earn:d-2', points: 20 }),
    ]);
  });

  it('a refund takes back the refunded share of the points; sending it again changes nothing', async () => {
    await call('POST', '/v1/orders', {
      external_id: 'o-r',
      customer: { external_id: 'cy' },
      placed_at: daysAgo(2),
      currency: 'EUR',
      status: 'paid',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 10000 }],
    });
    // 100 points + 50 first-order bonus for a 100.00 order.
    expect((await balance('cy')).balance).toBe(150);
    const refund = {
      external_id: 'r-1',
      order_external_id: 'o-r',
      refunded_at: daysAgo(1),
      currency: 'EUR',
      amount_minor: 2500,
    };
    expect((await call('POST', '/v1/refunds', refund)).status).toBe(201);
    expect((await balance('cy')).balance).toBe(150 - 37);
    await call('POST', '/v1/refunds', refund);
    expect((await balance('cy')).balance).toBe(113);
    await call('POST', '/v1/refunds', { ...refund, external_id: 'r-2', amount_minor: 7500 });
    expect((await balance('cy')).balance).toBe(0);
    const reversals = await entries("kind = 'reverse_earn'");
    expect(reversals.map((r) => r.points)).toEqual([-37, -113]);
  });

  it.runIf(kind === 'postgres')(
    'two refunds of one order arriving at once both count: refunded total and reversed points are their sum',
    async () => {
      const n = 4;
      for (let i = 0; i < n; i++) {
        await call('POST', '/v1/orders', {
          external_id: `o-rr${i}`,
          customer: { external_id: `rr${i}` },
          placed_at: daysAgo(2),
          currency: 'EUR',
          status: 'paid',
          lines: [{ sku: 'X', quantity: 1, unit_price_minor: 10000 }],
        });
      }
      const refund = (i: number, ext: string, amount: number) =>
        call('POST', '/v1/refunds', {
          external_id: ext,
          order_external_id: `o-rr${i}`,
          refunded_at: daysAgo(1),
          currency: 'EUR',
          amount_minor: amount,
        });
      const res = await Promise.all(
        Array.from({ length: n }, (_, i) => [refund(i, `rr${i}-a`, 500), refund(i, `rr${i}-b`, 300)]).flat(),
      );
      expect(res.map((r) => r.status)).toEqual(res.map(() => 201));
      const orders = await getDb().query<{ external_id: string; refunded_minor: string | number }>(
        "select external_id, refunded_minor from orders where store_id = $1 and external_id like 'o-rr%' order by external_id",
        [storeId],
      );
      expect(orders.rows.map((o) => Number(o.refunded_minor))).toEqual(Array(n).fill(800));
      for (let i = 0; i < n; i++) {
        const reversed = await entries(`kind = 'reverse_earn' and order_id = 'o-rr${i}'`);
        // 150 points (100 + 50 first-order bonus) × 800 / 10,000 = 12.
        expect(reversed.reduce((a, e) => a + e.points, 0)).toBe(-12);
        expect((await balance(`rr${i}`)).balance).toBe(150 - 12);
      }
    },
  );

  it.runIf(kind === 'postgres')(
    'a cancelled order ingested while its points redemption is still committing gives the spent points back',
    async () => {
      await call('POST', '/v1/customers', { external_id: 'held', email: 'held@example.com' });
      await call('POST', '/v1/customers/held/loyalty/adjustments', { points: 1000, reason: 'gift' });
      const customerId = (await entries("kind = 'adjust_credit'")).find(
        (e) => e.points === 1000,
      )?.customer_id;
      expect(customerId).toBeDefined();
      let ingest: ReturnType<typeof call> | undefined;
      // A checkout commit redeeming 400 points for o-held, still open when the shop sends the order cancelled.
      await getDb().tx(async (q) => {
        const state = await loadLedger(q, storeId, customerId as string, true);
        const d = planLedgerOperation(state, {
          type: 'redeem',
          key: 'redeem:o-held',
          orderId: 'o-held',
          points: 400,
          at: Date.now(),
        });
        await applyLedgerDecision(q, storeId, d);
        ingest = call('POST', '/v1/orders', {
          external_id: 'o-held',
          customer: { external_id: 'held' },
          placed_at: new Date().toISOString(),
          currency: 'EUR',
          status: 'cancelled',
          lines: [{ sku: 'X', quantity: 1, unit_price_minor: 5000 }],
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      expect((await ingest)?.status).toBe(201);
      expect(await entries("order_id = 'o-held'")).toEqual([
        expect.objectContaining({ kind: 'redeem', points: -400 }),
        expect.objectContaining({ kind: 'return_redeemed', points: 400 }),
      ]);
      expect((await balance('held')).available).toBe(1000);
    },
  );

  it("a staff adjustment without a key is keyed by the app's injected id generator", async () => {
    let n = 0;
    const app = await buildApp({
      db: getDb(),
      ids: (kind) => `${ID_PREFIXES[kind]}_test${String(n++).padStart(4, '0')}`,
      clock: systemClock,
      version: 'test',
      adminToken: 'test-admin-token',
    });
    try {
      await call('POST', '/v1/customers', { external_id: 'kit' });
      const res = await app.inject({
        method: 'POST',
        url: '/v1/customers/kit/loyalty/adjustments',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ points: 5, reason: 'goodwill' }),
      });
      expect(res.statusCode).toBe(201);
      expect(JSON.parse(res.body).key).toMatch(/^adjust:adj_test\d{4}$/);
    } finally {
      await app.close();
    }
  });

  it("one batch refunding two of a customer's orders takes back both orders' points", async () => {
    for (const ext of ['o-duo-1', 'o-duo-2'])
      await call('POST', '/v1/orders', {
        external_id: ext,
        customer: { external_id: 'duo' },
        placed_at: daysAgo(2),
        currency: 'EUR',
        status: 'paid',
        lines: [{ sku: 'X', quantity: 1, unit_price_minor: 10000 }],
      });
    // 100 + 50 first-order bonus, then 100.
    expect((await balance('duo')).balance).toBe(250);
    const refund = (ext: string) => ({
      external_id: `r-${ext}`,
      order_external_id: ext,
      refunded_at: daysAgo(1),
      currency: 'EUR',
      amount_minor: 5000,
    });
    const res = await call('POST', '/v1/refunds/batch', { data: [refund('o-duo-1'), refund('o-duo-2')] });
    expect(res.status).toBeLessThan(300);
    const reversals = await entries("kind = 'reverse_earn' and order_id like 'o-duo-%'");
    expect(reversals.map((r) => r.points).sort()).toEqual([-50, -75]);
    expect((await balance('duo')).balance).toBe(125);
  });

  it('an order committed at checkout and ingested later earns once (the same ledger key)', async () => {
    await call('POST', '/v1/customers', { external_id: 'dee', email: 'dee@example.com' });
    const commit = await call('POST', '/v1/checkout/commit', {
      order_external_id: 'o-chk',
      customer: { external_id: 'dee' },
      currency: 'EUR',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 3000 }],
      shipping_minor: 0,
      codes: [],
      points: 0,
    });
    expect(commit.status).toBe(201);
    const before = await entries("key = 'earn:o-chk'");
    expect(before.length).toBe(1);
    await call('POST', '/v1/orders', {
      external_id: 'o-chk',
      customer: { external_id: 'dee' },
      placed_at: new Date().toISOString(),
      currency: 'EUR',
      status: 'paid',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 3000 }],
    });
    expect(await entries("key = 'earn:o-chk'")).toEqual(before);
  });

  it("a refund of every item (not the shipping) of an order whose points were spent takes them from the customer's other points", async () => {
    const order = (ext: string, days: number, price: number) =>
      call('POST', '/v1/orders', {
        external_id: ext,
        customer: { external_id: 'shp' },
        placed_at: daysAgo(days),
        currency: 'EUR',
        status: 'paid',
        lines: [{ sku: 'X', quantity: 1, unit_price_minor: price }],
        shipping_minor: 500,
      });
    // 100 points + the 50 first-order bonus, then 50 more: all past the 14-day return window.
    expect((await order('o-shp1', 21, 10_000)).status).toBe(201);
    expect((await order('o-shp2', 20, 5_000)).status).toBe(201);
    expect((await balance('shp')).available).toBe(200);
    // Staff take 150: the first order's lot, which expires first.
    const adj = await call('POST', '/v1/customers/shp/loyalty/adjustments', {
      points: -150,
      reason: 'goodwill undo',
    });
    expect(adj.status).toBe(201);
    await call('POST', '/v1/refunds', {
      external_id: 'r-shp',
      order_external_id: 'o-shp1',
      refunded_at: daysAgo(0),
      currency: 'EUR',
      amount_minor: 10_000,
    });
    // All 150 points are owed; the 50 the customer still has are taken, 100 are written off.
    const [reversal] = await entries("e.order_id = 'o-shp1' and kind = 'reverse_earn'");
    expect(reversal.points).toBe(-50);
    expect((await balance('shp')).balance).toBe(0);
  });

  it('a refund of an order paid with points returns the spent share and reverses the earned share', async () => {
    await call('POST', '/v1/customers', { external_id: 'gus', email: 'gus@example.com' });
    const adj = await call('POST', '/v1/customers/gus/loyalty/adjustments', {
      points: 1000,
      reason: 'welcome gift',
    });
    expect(adj.status).toBe(201);
    const cart = {
      order_external_id: 'o-spend',
      customer: { external_id: 'gus' },
      currency: 'EUR',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 10_000 }],
      shipping_minor: 0,
      codes: [],
      points: 1000,
    };
    expect((await call('POST', '/v1/checkout/commit', cart)).status).toBe(201);
    const afterCommit = await balance('gus');
    expect(afterCommit.available).toBe(0);
    const earned = afterCommit.pending;
    expect(earned).toBeGreaterThan(0);
    // The order arrives from the shop (9,000 paid after 10.00 of points), then half of it is refunded.
    await call('POST', '/v1/orders', {
      external_id: 'o-spend',
      customer: { external_id: 'gus' },
      placed_at: new Date().toISOString(),
      currency: 'EUR',
      status: 'paid',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 10_000 }],
      discount_minor: 1000,
    });
    expect((await entries("key = 'earn:o-spend'")).length).toBe(1);
    await call('POST', '/v1/refunds', {
      external_id: 'r-spend',
      order_external_id: 'o-spend',
      refunded_at: new Date().toISOString(),
      currency: 'EUR',
      amount_minor: 4500,
    });
    const after = await balance('gus');
    expect(after.available).toBe(500);
    expect(after.pending).toBe(earned - Math.floor(earned / 2));
  });

  it('checkout commits and ingestion of the same order racing each other earn once', async () => {
    await call('POST', '/v1/customers', { external_id: 'hal', email: 'hal@example.com' });
    const line = { sku: 'X', quantity: 1, unit_price_minor: 4000 };
    const tries = [];
    for (let i = 0; i < 4; i++) {
      tries.push(
        call('POST', '/v1/checkout/commit', {
          order_external_id: 'o-race',
          customer: { external_id: 'hal' },
          currency: 'EUR',
          lines: [line],
          shipping_minor: 0,
          codes: [],
          points: 0,
        }),
      );
      tries.push(
        call('POST', '/v1/orders', {
          external_id: 'o-race',
          customer: { external_id: 'hal' },
          placed_at: new Date().toISOString(),
          currency: 'EUR',
          status: 'paid',
          lines: [line],
        }),
      );
    }
    const statuses = (await Promise.all(tries)).map((r) => r.status);
    expect(statuses.every((st) => st < 300)).toBe(true);
    const earned = await entries("key = 'earn:o-race'");
    // 40 points for 40.00 plus the 50-point first-order bonus, whichever of the two wrote them.
    expect(earned).toEqual([expect.objectContaining({ kind: 'earn', points: 40 + 50 })]);
    const customerId = earned[0].customer_id;
    const events = await getDb().query<{ dedupe_key: string }>(
      `select dedupe_key from loyalty_events where store_id = $1 and customer_id = $2 and kind = 'points_earned'`,
      [storeId, customerId],
    );
    expect(events.rows).toEqual([{ dedupe_key: `points_earned:${customerId}:earn:o-race` }]);
    const lots = await getDb().query<{ lot: string; remaining: string | number }>(
      'select lot, remaining from loyalty_lots where store_id = $1 and customer_id = $2',
      [storeId, customerId],
    );
    expect(lots.rows.map((l) => [l.lot, Number(l.remaining)])).toEqual([['earn:o-race', 90]]);
    expect(await balance('hal')).toMatchObject({ balance: 90, pending: 90 });
  });

  it('an order whose points would have lapsed already (a history import) earns nothing', async () => {
    await call('POST', '/v1/orders', {
      external_id: 'o-old',
      customer: { external_id: 'eve' },
      placed_at: daysAgo(200),
      currency: 'EUR',
      status: 'paid',
      lines: [{ sku: 'X', quantity: 1, unit_price_minor: 3000 }],
    });
    expect(await entries("key = 'earn:o-old'")).toEqual([]);
  });

  it('a CSV import earns for its orders and reverses its refunds, once however often it runs', async () => {
    const file = join(dir, 'orders.csv');
    const d = daysAgo(3).slice(0, 10);
    await writeFile(
      file,
      [
        'order_id,customer_id,email,placed_at,currency,sku,quantity,unit_price,total,status,refunded_amount',
        `csv-1,F1,f1@example.com,${d},EUR,MUG,2,10.00,20.00,paid,`,
        `csv-2,F2,f2@example.com,${d},EUR,MUG,1,40.00,40.00,refunded,40.00`,
        `csv-3,,,${d},EUR,MUG,1,40.00,40.00,paid,`,
      ].join('\n'),
    );
    const run = () =>
      runImport({
        input: file,
        kind: 'orders',
        format: 'generic',
        parseOptions: parseOptionsFor('en', 'EUR'),
        sink: databaseSink({ db: getDb(), ids: createIdGenerator(), clock: systemClock }, storeId),
        rejectsPath: null,
      });
    await run();
    await run();
    const csv = await entries("(key like 'earn:csv-%' or order_id like 'csv-%')");
    const f1 = csv.filter((e) => e.key === 'earn:csv-1');
    expect(f1).toEqual([expect.objectContaining({ points: 20 + 50 })]);
    expect(csv.some((e) => e.key === 'earn:csv-3')).toBe(false);
    // csv-2 arrives refunded in full: it earns nothing, or whatever it earned is taken back.
    expect((await balance('F2')).balance).toBe(0);
    expect((await balance('F1')).balance).toBe(70);
  });
});
