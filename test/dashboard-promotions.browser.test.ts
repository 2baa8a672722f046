import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDashboard, openDemoDashboard } from './browser.ts';

/**
 * The Promotions and Loyalty pages end to end on the demo store: the owner creates a promotion
 * through the form, generates codes (in batches, with progress), exports them as CSV and pages
 * through them; starts the loyalty program, changes a setting (with messages next to wrong
 * fields), and adjusts a customer's points with a reason; an account manager sees neither page and
 * the API refuses them. Screenshots go to test-artifacts/dashboard/.
 */

const ELENA = 'elena.manager@example.com';

describe('promotions and loyalty pages in a browser', () => {
  let d: DemoDashboard;
  let page: Page;
  let promotionId: string;
  const shot = (name: string) => d.shot(name);
  const v1 = <T>(url: string) => d.v1<T>(url);

  beforeAll(async () => {
    d = await openDemoDashboard({ customers: 120 });
    page = d.page;
  }, 120_000);

  afterAll(async () => {
    await d?.close();
  });

  it('creates a promotion through the form, with a message next to a missing field first', async () => {
    await d.signIn(d.login.email, d.login.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Promotions' }).click();
    await page.waitForURL(/\/promotions$/);
    await page.getByRole('heading', { name: 'No promotions yet' }).waitFor();
    await shot('20-promotions-empty');
    await page.getByRole('link', { name: 'Create a promotion' }).click();
    await page.waitForURL(/\/promotions\/new$/);

    await page.getByRole('button', { name: 'Create promotion' }).click();
    const name = page.getByLabel('Name', { exact: true });
    await page.getByText('Give the promotion a name').waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');

    await name.fill('Welcome back 15 %');
    await page.getByLabel('Type').selectOption('percent_off');
    await page.getByLabel('Percent off').fill('15');
    await page.getByLabel('Applies').selectOption('unique_codes');
    await page.getByLabel('Minimum subtotal (EUR)').fill('30');
    await page.getByLabel('Uses in total').fill('5000');
    await page.getByLabel('Uses per customer').fill('1');
    await page.getByLabel('Budget (EUR)').fill('1000');
    await page.getByLabel('Ends').fill('2030-12-31T23:00');
    await page.getByLabel('With other promotions').selectOption('exclusive');
    await shot('21-promotion-form');
    await page.getByRole('button', { name: 'Create promotion' }).click();
    await page.waitForURL(/\/promotions\/prm_[^/?]+/);
    promotionId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    await page.getByText('Promotion created.').waitFor();
    const p = (await v1<Record<string, unknown>>(`/v1/promotions/${promotionId}`)).body;
    expect(p).toMatchObject({
      name: 'Welcome back 15 %',
      trigger: { type: 'unique_codes' },
      stacking: 'exclusive',
      currency: 'EUR',
      limits: { total_uses: 5000, uses_per_customer: 1, budget_minor: 100_000 },
      conditions: [{ code: 'min_subtotal', args: { amount_minor: 3000 } }],
      actions: [{ code: 'percent_off', args: { percent_bps: 1500 } }],
    });
    expect(await page.getByTestId('promo-uses').textContent()).toContain('0 / 5,000');
    expect(await page.getByTestId('promo-budget').textContent()).toContain('€0.00 / €1,000.00');
  });

  it('generates 1,500 codes in batches with progress, exports them as CSV and pages through them', async () => {
    await page.getByLabel('How many codes').fill('1500');
    await page.getByLabel('Prefix').fill('WB');
    await page.getByRole('button', { name: 'Generate codes' }).click();
    await page.getByText('1,500 codes generated.').waitFor({ timeout: 30_000 });
    const table = page.getByTestId('code-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(50);
    await shot('22-promotion-codes');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${promotionId}-codes.csv`);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('code,customer_id,redeemed_at,balance_minor,expires_at,created_at');
    expect(csv).toHaveLength(1501);
    const exported = csv.slice(1).map((l) => l.split(',')[0]);
    for (const c of exported) expect(c).toMatch(/^WB[2-9A-HJ-NP-TV-Z]{10}$/);
    expect(new Set(exported).size).toBe(1500);

    const first = await table.locator('tbody tr td:first-child').allTextContents();
    for (const c of first) expect(exported).toContain(c);
    await page.getByRole('button', { name: 'Next codes' }).click();
    await expect
      .poll(async () => (await table.locator('tbody tr td:first-child').first().textContent()) !== first[0])
      .toBe(true);
    const second = await table.locator('tbody tr td:first-child').allTextContents();
    expect(second).toHaveLength(50);
    for (const c of second) expect(first).not.toContain(c);
  });

  it('edits the promotion and lists it with its usage, budget and validity', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Welcome back 20 %');
    await page.getByLabel('Percent off').fill('20');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();
    await page.getByRole('heading', { name: 'Welcome back 20 %' }).waitFor();
    const p = (await v1<{ actions: unknown[] }>(`/v1/promotions/${promotionId}`)).body;
    expect(p.actions).toEqual([
      { code: 'percent_off', args: { percent_bps: 2000, max_discount_minor: null } },
    ]);

    await page.getByRole('link', { name: 'All promotions' }).click();
    await page.waitForURL(/\/promotions$/);
    const row = page.getByTestId('promotion-table').locator('tbody tr').first();
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('Welcome back 20 %');
    expect(text).toContain('Active');
    expect(text).toContain('20% off');
    expect(text).toContain('Generated codes');
    expect(text).toContain('0 / 5,000');
    expect(text).toContain('€0.00 / €1,000.00');
    expect(text).toContain('Until');
    await shot('23-promotions-list');
    await page.setViewportSize({ width: 390, height: 844 });
    // Nothing is wider than a phone: wide tables scroll inside their card.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('24-promotions-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('makes gift cards: the type asks for generated codes, and each code carries the balance given', async () => {
    await page.goto(`${d.base}/promotions/new`);
    await page.getByLabel('Name', { exact: true }).fill('Gift card 25');
    await page.getByLabel('Type').selectOption('gift_card');
    expect(await page.getByLabel('Applies').inputValue()).toBe('unique_codes');
    await page.getByRole('button', { name: 'Create promotion' }).click();
    await page.getByText('Promotion created.').waitFor();
    await page.getByLabel('How many codes').fill('3');
    await page.getByRole('button', { name: 'Generate codes' }).click();
    await page.getByText("Enter each gift card's balance in EUR").waitFor();
    await page.getByLabel('Balance per card (EUR)').fill('25');
    await page.getByRole('button', { name: 'Generate codes' }).click();
    await page.getByText('3 codes generated.').waitFor();
    const rows = page.getByTestId('code-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    for (const row of await rows.all()) expect(await row.textContent()).toContain('€25.00');
  });

  it('keeps what the form does not show (an API-made action and condition) when a promotion is edited', async () => {
    const res = await fetch(`${d.base}/v1/promotions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Double points online',
        trigger: { type: 'automatic' },
        conditions: [
          { code: 'channel', args: { channels: ['web'] } },
          { code: 'min_subtotal', args: { amount_minor: 2000 } },
        ],
        actions: [{ code: 'bonus_points', args: { points: 100 } }],
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await page.goto(`${d.base}/promotions/${id}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByText('Set through the API; the form keeps it as it is.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Double points on the web');
    await page.getByLabel('Minimum subtotal (EUR)').fill('25');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();
    const p = (await v1<Record<string, unknown>>(`/v1/promotions/${id}`)).body;
    expect(p).toMatchObject({
      name: 'Double points on the web',
      conditions: [
        { code: 'min_subtotal', args: { amount_minor: 2500 } },
        { code: 'channel', args: { channels: ['web'] } },
      ],
      actions: [{ code: 'bonus_points', args: { points: 100 } }],
    });
  });

  it('starts the loyalty program, shows messages next to wrong settings, and saves a change', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Loyalty' }).click();
    await page.waitForURL(/\/loyalty$/);
    await page.getByRole('heading', { name: 'No loyalty program yet' }).waitFor();
    await shot('25-loyalty-empty');
    await page.getByRole('button', { name: 'Start a loyalty program' }).click();
    const expiry = page.getByLabel('Points expire after (days)');
    await expiry.waitFor();
    expect(await expiry.inputValue()).toBe('90');

    // The browser's own check: a whole number of at least 1.
    await expiry.fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Enter a whole number of at least 1').waitFor();
    expect(await expiry.getAttribute('aria-invalid')).toBe('true');
    await expiry.fill('180');

    // The server's check: two tiers with one code; its message shows at the second tier's code.
    for (const [code, name, from] of [
      ['silver', 'Silver', '200'],
      ['silver', 'Gold', '500'],
    ]) {
      await page.getByRole('button', { name: 'Add a tier' }).click();
      const i = await page.getByTestId('tier-table').locator('tbody tr').count();
      await page.getByLabel(`Code, tier ${i}`).fill(code);
      await page.getByLabel(`Name, tier ${i}`).fill(name);
      await page.getByLabel(`From, tier ${i}`).fill(from);
    }
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('duplicate tier code').waitFor();
    expect(await page.getByLabel('Code, tier 2').getAttribute('aria-invalid')).toBe('true');
    await shot('26-loyalty-field-message');
    await page.getByLabel('Code, tier 2').fill('gold');
    await page.getByLabel('Points for the referrer').fill('250');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const program = (await v1<Record<string, unknown>>('/v1/loyalty/program')).body;
    expect(program).toMatchObject({
      currency: 'EUR',
      expiry_days: 180,
      referral: { referrer_points: 250 },
      tiers: {
        levels: [
          { code: 'silver', name: 'Silver', min_spend_minor: 20_000 },
          { code: 'gold', name: 'Gold', min_spend_minor: 50_000 },
        ],
      },
    });
  });

  it('finds a customer, adjusts their points with a required reason, and shows the entry in the ledger', async () => {
    const someone = (await v1<{ data: Array<{ id: string; email: string }> }>('/v1/customers?limit=1')).body
      .data[0];
    await page.getByLabel('Customer', { exact: true }).fill(someone.email);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('list', { name: 'Matching customers' }).getByRole('button').first().click();
    await page.waitForURL(new RegExp(`/loyalty\\?customer=${someone.id}$`));
    const ledger = page.getByTestId('ledger');
    await ledger.waitFor();
    const before = (await v1<{ balance: number }>(`/v1/customers/${someone.id}/loyalty`)).body.balance;

    await page.getByLabel('Points (+ to add, − to remove)').fill('50');
    await page.getByRole('button', { name: 'Adjust points' }).click();
    await page.getByText('Say why').waitFor();
    expect(await page.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Reason').fill('Parcel arrived late');
    await page.getByRole('button', { name: 'Adjust points' }).click();
    await page.getByText('50 points added.').waitFor();
    const row = page.getByTestId('ledger-table').locator('tbody tr').first();
    await expect.poll(() => row.textContent()).toContain('Parcel arrived late');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Added by staff');
    expect(text).toContain('+50');
    expect(text).toContain(`Staff: ${d.login.email}`);
    expect(await page.getByTestId('ledger-balance').textContent()).toBe(`${before + 50} points`);
    expect((await v1<{ balance: number }>(`/v1/customers/${someone.id}/loyalty`)).body.balance).toBe(
      before + 50,
    );
    await shot('27-loyalty-ledger');
    await page.setViewportSize({ width: 390, height: 844 });
    // Nothing is wider than a phone: wide tables scroll inside their card.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('28-loyalty-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    // The customer 360 page shows the points and the latest entry too.
    await ledger.getByRole('heading').getByRole('link').click();
    await page.waitForURL(new RegExp(`/customers/${someone.id}$`));
    const card = page.getByTestId('customer-points');
    await card.waitFor();
    expect(await card.textContent()).toContain(`${before + 50} (`);
    expect(await card.locator('xpath=..').textContent()).toContain('Parcel arrived late');
    await shot('28b-customer-360-points');
    // The only console error is the refused save with the duplicate tier code (the browser logs every 4xx).
    expect(d.consoleErrors).toEqual([
      'Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)',
    ]);
    d.consoleErrors.length = 0;
  });

  it('keeps account managers out: no menu entries, "Not available for your role", and 403 from the API', async () => {
    await d.addStaff(ELENA, 'account_manager', 'elena-password-1');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await d.signIn(ELENA, 'elena-password-1');
    const nav = page.getByRole('navigation', { name: 'Main' });
    const links = await nav.getByRole('link').allTextContents();
    expect(links).not.toContain('Promotions');
    expect(links).not.toContain('Loyalty');
    for (const url of ['/promotions', `/promotions/${promotionId}`, '/loyalty']) {
      await page.goto(d.base + url);
      await page.getByText('Not available for your role').waitFor();
    }
    await shot('29-account-manager-no-promotions');
    const statuses = await page.evaluate(async (id) => {
      const urls = [
        '/app/api/promotions',
        `/app/api/promotions/${id}/codes`,
        '/app/api/loyalty/program',
        '/app/api/loyalty/setup',
      ];
      return Promise.all(urls.map(async (u) => (await fetch(u)).status));
    }, promotionId);
    expect(statuses).toEqual([403, 403, 403, 403]);
    for (const e of d.consoleErrors) expect(e).toMatch(/status of 403/);
  });
});
