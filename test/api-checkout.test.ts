import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from './db.ts';
import { storeWithKey, type TestApp, testApp } from './helpers.ts';

const LINES = [
  { sku: 'MUG-1', quantity: 2, unit_price_minor: 1250 },
  { product_external_id: 'shirt-1', quantity: 1, unit_price_minor: 2000 },
];

describeEachDb('checkout, promotions and loyalty API', (getDb) => {
  let t: TestApp;
  let key: string;
  let storeId: string;
  const call = (method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
    t.call(method, url, body, { key, headers });

  beforeAll(async () => {
    t = await testApp(getDb());
    ({ key, storeId } = await storeWithKey(getDb(), 'checkout-api'));
    await call('POST', '/v1/products', {
      external_id: 'mug-1',
      sku: 'MUG-1',
      title: 'Mug',
      price_minor: 1250,
      currency: 'EUR',
    });
    await call('POST', '/v1/customers', { external_id: 'cust-1', email: 'c1@example.com' });
  });
  afterAll(async () => {
    await t?.app.close();
  });

  it('creates a coupon and reads it back with its usage', async () => {
    const res = await call('POST', '/v1/promotions', {
      id: 'summer10',
      name: 'Summer 10 %',
      trigger: { type: 'code', code: 'summer-10' },
      limits: { total_uses: 2 },
      actions: [{ code: 'percent_off', args: { percent_bps: 1000 } }],
    });
    expect(res.status).toBe(201);
    expect(res.body.usage).toMatchObject({ uses: 0, max_uses: 2, uses_left: 2 });
    const bad = await call('POST', '/v1/promotions', {
      name: 'x',
      trigger: { type: 'automatic' },
      actions: [],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toBe('actions');
  });

  it('speaks snake_case: fields read back as sent, camelCase and bad arguments refused with their path', async () => {
    const res = await call('POST', '/v1/promotions', {
      id: 'shape',
      name: 'Shape',
      trigger: { type: 'automatic' },
      starts_at: '2026-01-01T00:00:00Z',
      limits: { uses_per_customer: 1 },
      applies_to: { category_ids: ['mugs'] },
      conditions: [{ code: 'min_subtotal', args: { amount_minor: 5000 } }],
      actions: [{ code: 'percent_off', args: { percent_bps: 500, max_discount_minor: 1000 } }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: 'shape',
      status: 'active',
      starts_at: '2026-01-01T00:00:00.000Z',
      ends_at: null,
      limits: { total_uses: null, uses_per_customer: 1, budget_minor: null },
      applies_to: { category_ids: ['mugs'], product_ids: [] },
      conditions: [{ code: 'min_subtotal', args: { amount_minor: 5000 } }],
    });
    expect((await call('GET', '/v1/promotions/shape')).body.actions[0].args.max_discount_minor).toBe(1000);
    const camel = await call('POST', '/v1/promotions', {
      name: 'x',
      trigger: { type: 'automatic' },
      conditions: [{ code: 'min_subtotal', args: { amountMinor: 5000 } }],
      actions: [{ code: 'amount_off', args: { amount_minor: -1 } }],
    });
    expect(camel.status).toBe(422);
    expect(camel.body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['conditions[0].args.amount_minor', 'actions[0].args.amount_minor']),
    );
    const backwards = await call('POST', '/v1/promotions', {
      name: 'x',
      trigger: { type: 'automatic' },
      starts_at: '2026-02-01T00:00:00Z',
      ends_at: '2026-01-01T00:00:00Z',
      actions: [{ code: 'amount_off', args: { amount_minor: 1 } }],
    });
    expect(backwards.status).toBe(422);
    expect(backwards.body.error.details[0].path).toBe('ends_at');
  });

  it('edits a promotion: merges objects, replaces arrays, keeps usage, refuses limits below what is used', async () => {
    await call('POST', '/v1/promotions', {
      id: 'edit',
      name: 'Edit me',
      trigger: { type: 'code', code: 'EDIT' },
      limits: { total_uses: 5, uses_per_customer: 4 },
      actions: [{ code: 'amount_off', args: { amount_minor: 100 } }],
    });
    const order = { customer: { external_id: 'cust-1' }, currency: 'EUR', lines: LINES, codes: ['EDIT'] };
    expect((await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'e-1' })).status).toBe(
      201,
    );
    expect((await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'e-2' })).status).toBe(
      201,
    );
    const edited = await call('PATCH', '/v1/promotions/edit', {
      name: 'Edited',
      limits: { total_uses: 3 },
      ends_at: '2099-01-01T00:00:00Z',
      actions: [{ code: 'amount_off', args: { amount_minor: 200 } }],
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      name: 'Edited',
      trigger: { type: 'code', code: 'EDIT' },
      limits: { total_uses: 3, uses_per_customer: 4 },
      ends_at: '2099-01-01T00:00:00.000Z',
      usage: { uses: 2, uses_left: 1, budget_spent_minor: 200 },
    });
    const ev = await call('POST', '/v1/checkout/evaluate', order);
    expect(ev.body.discount_minor).toBe(200);
    expect((await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'e-3' })).status).toBe(
      201,
    );
    expect((await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'e-4' })).status).toBe(
      409,
    );
    const below = await call('PATCH', '/v1/promotions/edit', {
      limits: { total_uses: 2, budget_minor: 100 },
    });
    expect(below.status).toBe(422);
    expect(below.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'limits.total_uses',
      'limits.budget_minor',
    ]);
    expect((await call('PATCH', '/v1/promotions/edit', { currency: 'USD' })).status).toBe(422);
    const trigger = await call('PATCH', '/v1/promotions/edit', { trigger: { type: 'automatic' } });
    expect(trigger.status).toBe(422);
    const cancel = await call('POST', '/v1/checkout/cancel', { order_external_id: 'e-3' });
    expect(cancel.status).toBe(200);
    expect((await call('GET', '/v1/promotions/edit')).body.usage).toMatchObject({
      uses: 2,
      budget_spent_minor: 200,
    });
    const archived = await call('POST', '/v1/promotions/edit/archive');
    expect(archived.body.status).toBe('archived');
  });

  it('archives a promotion: it is no longer offered, and reactivates it', async () => {
    await call('POST', '/v1/promotions', {
      id: 'gone',
      name: 'Gone',
      trigger: { type: 'code', code: 'GONE' },
      actions: [{ code: 'amount_off', args: { amount_minor: 100 } }],
    });
    const archived = await call('PATCH', '/v1/promotions/gone', { status: 'archived' });
    expect(archived.body.status).toBe('archived');
    const ev = await call('POST', '/v1/checkout/evaluate', {
      customer: null,
      currency: 'EUR',
      lines: LINES,
      codes: ['GONE'],
    });
    expect(ev.body.rejected_codes[0].reason).toBe('unknown_code');
    expect((await call('PATCH', '/v1/promotions/gone', { status: 'active' })).body.status).toBe('active');
    expect((await call('PATCH', '/v1/promotions/nope', { status: 'active' })).status).toBe(404);
  });

  it('evaluates a cart in snake_case and writes nothing', async () => {
    const res = await call('POST', '/v1/checkout/evaluate', {
      customer: { external_id: 'cust-1' },
      currency: 'EUR',
      lines: LINES,
      shipping_minor: 490,
      codes: ['SUMMER10', 'nope'],
    });
    expect(res.status).toBe(200);
    expect(res.body.subtotal_minor).toBe(4500);
    expect(res.body.discount_minor).toBe(450);
    expect(res.body.total_minor).toBe(4500 - 450 + 490);
    expect(res.body.discounts[0]).toMatchObject({
      promotion_id: 'summer10',
      code: 'SUMMER10',
      amount_minor: 450,
    });
    expect(res.body.rejected_codes).toMatchObject([{ code: 'nope', reason: 'unknown_code' }]);
    expect(res.body.effects).toBeUndefined();
    expect((await call('GET', '/v1/promotions/summer10')).body.usage.uses).toBe(0);
  });

  it("tier progress counts paid orders only: an open (unpaid) order's spend does not count until it is paid", async () => {
    const other = await storeWithKey(getDb(), 'checkout-tier-paid');
    const as = (method: string, url: string, body?: unknown) => t.call(method, url, body, { key: other.key });
    const program = await as('PUT', '/v1/loyalty/program', {
      currency: 'EUR',
      tiers: { basis: 'spend', levels: [{ code: 'silver', name: 'Silver', min_spend_minor: 100_000 }] },
    });
    expect(program.status).toBe(200);
    const order = {
      external_id: 'o-newbie',
      customer: { external_id: 'newbie', email: 'newbie@example.com' },
      placed_at: new Date().toISOString(),
      currency: 'EUR',
      status: 'open',
      lines: [{ sku: 'MUG-1', quantity: 1, unit_price_minor: 5000 }],
    };
    expect((await as('POST', '/v1/orders', order)).status).toBe(201);
    const evaluate = async () =>
      (
        await as('POST', '/v1/checkout/evaluate', {
          customer: { external_id: 'newbie' },
          currency: 'EUR',
          lines: LINES,
          shipping_minor: 0,
          codes: [],
        })
      ).body.tier_progress;
    // This cart (45.00) alone: 1,000.00 − 45.00 to Silver.
    expect(await evaluate()).toMatchObject({ next: { remaining_spend_minor: 100_000 - 4500 } });
    expect((await as('POST', '/v1/orders', { ...order, status: 'paid' })).status).toBe(200);
    expect(await evaluate()).toMatchObject({ next: { remaining_spend_minor: 100_000 - 4500 - 5000 } });
  });

  it('commits an order once, however often it is sent, and cancel releases the use', async () => {
    const body = {
      customer: { external_id: 'cust-1' },
      currency: 'EUR',
      lines: LINES,
      codes: ['summer10'],
      order_external_id: 'o-1',
    };
    const first = await call('POST', '/v1/checkout/commit', body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state: 'committed', duplicate: false });
    for (let i = 0; i < 3; i++) {
      const again = await call('POST', '/v1/checkout/commit', body);
      expect(again.status).toBe(200);
      expect(again.body.duplicate).toBe(true);
    }
    expect((await call('GET', '/v1/promotions/summer10')).body.usage).toMatchObject({
      uses: 1,
      budget_spent_minor: 450,
    });
    await call('POST', '/v1/checkout/commit', { ...body, order_external_id: 'o-2' });
    const third = await call('POST', '/v1/checkout/commit', { ...body, order_external_id: 'o-3' });
    expect(third.status).toBe(409);
    expect(third.body.error).toMatchObject({
      code: 'CHECKOUT_CONFLICT',
      details: [{ path: 'codes[0]', message: 'usage_limit_reached' }],
    });
    const cancel = await call('POST', '/v1/checkout/cancel', { order_external_id: 'o-1' });
    expect(cancel.body.state).toBe('cancelled');
    expect((await call('GET', '/v1/promotions/summer10')).body.usage).toMatchObject({
      uses: 1,
      budget_spent_minor: 450,
    });
    expect((await call('POST', '/v1/checkout/commit', { ...body, order_external_id: 'o-3' })).status).toBe(
      201,
    );
    // The cancelled order sent again (a payment retry) is refused: its use went to o-3.
    const retried = await call('POST', '/v1/checkout/commit', body);
    expect(retried.status).toBe(409);
    expect(retried.body.error.details).toEqual([{ path: 'order_external_id', message: 'order_cancelled' }]);
    expect((await call('GET', '/v1/promotions/summer10')).body.usage).toMatchObject({ uses: 2 });
  });

  it('generates unique single-use codes, exports them as CSV, and redeems each once', async () => {
    await call('POST', '/v1/promotions', {
      id: 'welcome',
      name: 'Welcome 5.00',
      trigger: { type: 'unique_codes' },
      actions: [{ code: 'amount_off', args: { amount_minor: 500 } }],
    });
    const gen = await call('POST', '/v1/promotions/welcome/codes', { count: 20, prefix: 'WEL' });
    expect(gen.status).toBe(201);
    expect(new Set(gen.body.codes).size).toBe(20);
    const csv = await t.app.inject({
      method: 'GET',
      url: '/v1/promotions/welcome/codes',
      headers: { authorization: `Bearer ${key}`, accept: 'text/csv' },
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\n')).toHaveLength(21);
    const code = gen.body.codes[0];
    const order = { customer: null, currency: 'EUR', lines: LINES, codes: [code] };
    expect((await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'w-1' })).status).toBe(
      201,
    );
    const reuse = await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'w-2' });
    expect(reuse.status).toBe(409);
    expect(reuse.body.error.details[0].message).toBe('code_used');
  });

  it('counts the uses of an unlimited promotion (sharded), releases them on cancel, and enforces a limit added later against all of them', async () => {
    await call('POST', '/v1/promotions', {
      id: 'open',
      name: 'Open',
      trigger: { type: 'code', code: 'OPEN' },
      actions: [{ code: 'amount_off', args: { amount_minor: 100 } }],
    });
    const order = { customer: null, currency: 'EUR', lines: LINES, codes: ['OPEN'] };
    for (let i = 0; i < 3; i++)
      expect(
        (await call('POST', '/v1/checkout/commit', { ...order, order_external_id: `open-${i}` })).status,
      ).toBe(201);
    expect((await call('GET', '/v1/promotions/open')).body.usage).toMatchObject({
      uses: 3,
      budget_spent_minor: 300,
    });
    await call('POST', '/v1/checkout/cancel', { order_external_id: 'open-1' });
    expect((await call('GET', '/v1/promotions/open')).body.usage).toMatchObject({
      uses: 2,
      budget_spent_minor: 200,
    });
    expect((await call('PATCH', '/v1/promotions/open', { limits: { total_uses: 1 } })).status).toBe(422);
    const limited = await call('PATCH', '/v1/promotions/open', { limits: { total_uses: 3 } });
    expect(limited.body.usage).toMatchObject({ uses: 2, uses_left: 1 });
    expect(
      (await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'open-3' })).status,
    ).toBe(201);
    expect(
      (await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'open-4' })).status,
    ).toBe(409);
    await call('POST', '/v1/checkout/cancel', { order_external_id: 'open-0' });
    expect((await call('GET', '/v1/promotions/open')).body.usage).toMatchObject({
      uses: 2,
      budget_spent_minor: 200,
    });
    // Without its limit again it counts in the shards once more, on top of the uses on its row.
    expect((await call('PATCH', '/v1/promotions/open', { limits: { total_uses: null } })).status).toBe(200);
    for (const o of ['open-5', 'open-6'])
      expect((await call('POST', '/v1/checkout/commit', { ...order, order_external_id: o })).status).toBe(
        201,
      );
    expect((await call('GET', '/v1/promotions/open')).body.usage).toMatchObject({
      uses: 4,
      budget_spent_minor: 400,
    });
    await call('POST', '/v1/checkout/cancel', { order_external_id: 'open-5' });
    await call('POST', '/v1/checkout/cancel', { order_external_id: 'open-3' });
    expect((await call('GET', '/v1/promotions/open')).body.usage).toMatchObject({
      uses: 2,
      budget_spent_minor: 200,
    });
    // Archived, it is closed in the shards: an order planned before sees it refused.
    expect((await call('POST', '/v1/promotions/open/archive')).status).toBe(200);
    const closed = await getDb().query<{ closed: string[] }>(
      'select closed from promotion_use_counts where store_id = $1',
      [storeId],
    );
    expect(closed.rows.length).toBe(64);
    expect(closed.rows.every((r) => r.closed.includes('open'))).toBe(true);
  });

  it('refuses balances on codes of a promotion that does not pay from them (no gift_card action)', async () => {
    await call('POST', '/v1/promotions', {
      id: 'half-off',
      name: 'Half off',
      trigger: { type: 'unique_codes' },
      actions: [{ code: 'percent_off', args: { percent_bps: 5000 } }],
    });
    const gen = await call('POST', '/v1/promotions/half-off/codes', { count: 2, balance_minor: 100 });
    expect(gen.status).toBe(422);
    expect(gen.body.error.details).toEqual([
      { path: 'balance_minor', message: 'the promotion has no gift_card action' },
    ]);
    const imp = await call('POST', '/v1/promotions/half-off/codes/import', {
      codes: [{ code: 'HALF-1' }, { code: 'HALF-2', balance_minor: 100 }],
    });
    expect(imp.status).toBe(422);
    expect(imp.body.error.details).toEqual([
      { path: 'codes[1].balance_minor', message: 'the promotion has no gift_card action' },
    ]);
    expect((await call('GET', '/v1/promotions/half-off/codes')).body.data).toEqual([]);
    expect((await call('POST', '/v1/promotions/half-off/codes', { count: 2 })).status).toBe(201);
    // A gift card promotion does nothing else (a discount beside it would be paid from the balance).
    const mixed = {
      id: 'mixed',
      name: 'Mixed',
      trigger: { type: 'unique_codes' },
      actions: [
        { code: 'percent_off', args: { percent_bps: 5000 } },
        { code: 'gift_card', args: {} },
      ],
    };
    const refused = await call('POST', '/v1/promotions', mixed);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([
      { path: 'actions', message: 'gift_card cannot be combined with other actions' },
    ]);
    expect((await call('POST', '/v1/promotions', { ...mixed, actions: [mixed.actions[1]] })).status).toBe(
      201,
    );
    const patched = await call('PATCH', '/v1/promotions/mixed', { actions: mixed.actions });
    expect(patched.status).toBe(422);
  });

  it('lists codes a page at a time with filters, exports every match as CSV, and imports codes all or nothing by line', async () => {
    await call('POST', '/v1/promotions', {
      id: 'legacy',
      name: 'Legacy gift cards',
      trigger: { type: 'unique_codes' },
      actions: [{ code: 'gift_card', args: {} }],
    });
    const bad = await call('POST', '/v1/promotions/legacy/codes/import', {
      csv: 'code,customer_id,balance_minor,expires_at\nOLD-1,cust-1,2500,\nold 1,,10,\nOLD-3,nobody,abc,2026-13-01\n',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([
      { path: 'lines[3].code', message: 'OLD1 is on line 2 already' },
      { path: 'lines[4].balance_minor', message: expect.any(String) },
      { path: 'lines[4].expires_at', message: expect.any(String) },
    ]);
    const unknown = await call('POST', '/v1/promotions/legacy/codes/import', {
      codes: [{ code: 'OLD-1', customer_id: 'nobody' }, { code: 'SUMMER10' }],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([
      { path: 'codes[0].customer_id', message: 'no customer nobody' },
    ]);
    const csv = ['code,customer_id,balance_minor,expires_at,notes'];
    for (let i = 0; i < 25; i++)
      csv.push(`OLD-${100 + i},${i < 3 ? 'cust-1' : ''},${1000 + i},,"from the old shop, ok"`);
    const ok = await call('POST', '/v1/promotions/legacy/codes/import', { csv: csv.join('\r\n') });
    expect(ok.status).toBe(201);
    expect(ok.body.imported).toBe(25);
    const again = await call('POST', '/v1/promotions/legacy/codes/import', { codes: [{ code: 'old-100' }] });
    expect(again.body.error.details[0]).toEqual({
      path: 'codes[0].code',
      message: 'OLD100 exists already (promotion legacy)',
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        'GET',
        `/v1/promotions/legacy/codes?limit=10${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((c: { code: string }) => c.code));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect([...seen].sort()).toEqual(seen);
    const mine = await call('GET', '/v1/promotions/legacy/codes?customer_id=cust-1');
    expect(mine.body.data.map((c: { code: string }) => c.code)).toEqual(['OLD100', 'OLD101', 'OLD102']);
    expect(mine.body.data[0].customer_id).toMatch(/^cus_/);
    const order = { customer: null, currency: 'EUR', lines: LINES, codes: ['OLD-110'] };
    expect((await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'g-1' })).status).toBe(
      201,
    );
    // A gift card is paid from, not redeemed: it stays listed as unredeemed, with less balance.
    expect((await call('GET', '/v1/promotions/legacy/codes?redeemed=true')).body.data).toHaveLength(0);
    const open = await call('GET', '/v1/promotions/legacy/codes?redeemed=false&limit=100');
    expect(open.body.data).toHaveLength(25);
    expect(open.body.data.find((c: { code: string }) => c.code === 'OLD110').balance_minor).toBe(0);
    expect((await call('GET', '/v1/promotions/legacy/codes?cursor=nonsense')).status).toBe(422);
    const exported = await t.app.inject({
      method: 'GET',
      url: '/v1/promotions/legacy/codes?customer_id=cust-1',
      headers: { authorization: `Bearer ${key}`, accept: 'text/csv' },
    });
    expect(exported.headers['content-type']).toContain('text/csv');
    const rows = exported.body.trim().split('\n');
    expect(rows[0]).toBe('code,customer_id,redeemed_at,balance_minor,expires_at,created_at');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['OLD100', 'OLD101', 'OLD102']);
    expect(rows[1].split(',')[3]).toBe('1000');
  });

  it('redeems points through the ledger, earns pending points, and cancel gives back the one and reverses the other', async () => {
    expect((await call('PUT', '/v1/loyalty/program', { currency: 'EUR' })).status).toBe(200);
    expect((await call('GET', '/v1/loyalty/program')).body.redemption.points).toBe(100);
    const noReason = await call('POST', '/v1/customers/cust-1/loyalty/adjustments', {
      points: 1000,
      reason: ' ',
    });
    expect(noReason.status).toBe(422);
    const adj = await call('POST', '/v1/customers/cust-1/loyalty/adjustments', {
      points: 1000,
      reason: 'Goodwill',
    });
    expect(adj.status).toBe(201);
    const order = { customer: { external_id: 'cust-1' }, currency: 'EUR', lines: LINES, points: 300 };
    const ev = await call('POST', '/v1/checkout/evaluate', order);
    expect(ev.body.points).toMatchObject({ redeemed: 300, value_minor: 300 });
    expect((await call('POST', '/v1/checkout/commit', { ...order, order_external_id: 'p-1' })).status).toBe(
      201,
    );
    let loyalty = await call('GET', '/v1/customers/cust-1/loyalty');
    // 45.00 less 3.00 paid with points earns 42 points, pending through the return window.
    expect(loyalty.body).toMatchObject({ balance: 742, available: 700, pending: 42 });
    const tooMuch = await call('POST', '/v1/checkout/evaluate', { ...order, points: 800 });
    expect(tooMuch.body.points).toMatchObject({ requested: 800, redeemed: 700, capped: 'balance' });
    await call('POST', '/v1/checkout/cancel', { order_external_id: 'p-1' });
    loyalty = await call('GET', '/v1/customers/cust-1/loyalty');
    expect(loyalty.body.balance).toBe(1000);
    expect(loyalty.body).toMatchObject({ available: 1000, pending: 0 });
    expect(loyalty.body.entries.map((e: { kind: string }) => e.kind)).toEqual([
      'reverse_earn',
      'return_redeemed',
      'earn',
      'redeem',
      'adjust_credit',
    ]);
    const below = await call('POST', '/v1/customers/cust-1/loyalty/adjustments', {
      points: -5000,
      reason: 'Fraud',
    });
    expect(below.status).toBe(409);
  });
});
