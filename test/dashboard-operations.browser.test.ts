import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DemoDashboard, openDemoDashboard } from './browser.ts';

/**
 * The dashboard's operational pages in Chromium, on the demo store as `npm start` makes it: an owner
 * uploads a CSV and watches its progress, report and rejected row; logs a call outcome on the call
 * list and finds it on the customer's page; edits settings (a refused value, then a recompute with
 * its steps); creates and revokes an API key. An account manager meets none of it. Screenshots go to
 * test-artifacts/dashboard/ (ops-*.png).
 */

const ELENA = 'elena.manager@example.com';

const CSV = [
  'customer_id,email,first_name,last_name,birthday',
  'ui-1,ana@upload.example,Ana,Popa,1990-04-02',
  'ui-2,bob@upload.example,Bob,Stan,1985-13-40',
  'ui-3,cem@upload.example,Cem,Yilmaz,',
].join('\n');

describe('dashboard operations in a browser', () => {
  let d: DemoDashboard;
  let page: Page;
  let base: string;
  let consoleErrors: string[];

  const shot = (name: string) => d.shot(name);
  /** GET on /v1 with an API key (the demo's by default). */
  const v1 = async (url: string, key = d.apiKey) => {
    const res = await fetch(base + url, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as { data: Array<Record<string, string>> } };
  };
  /** Shrinks the open page to a phone's width (charts must follow): nothing may need sideways scrolling. */
  async function fitsPhoneWidth(shotName?: string) {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.locator('main h1').waitFor();
      // Charts resize on their ResizeObserver's next callback.
      await page.waitForTimeout(300);
      if (shotName) await shot(shotName);
      const wide = await page.evaluate<string>(
        "[...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > 391).slice(0, 8).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')",
      );
      expect(await page.evaluate<number>('document.documentElement.scrollWidth'), wide).toBeLessThanOrEqual(
        390,
      );
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.reload();
      await page.locator('main h1').waitFor();
    }
  }

  beforeAll(async () => {
    d = await openDemoDashboard({ customers: 300 });
    ({ page, base, consoleErrors } = d);
    // The demo's scores are queued on the worker after the load.
    await vi.waitFor(async () => expect((await v1('/v1/analytics')).status).toBe(200), {
      timeout: 60_000,
      interval: 500,
    });
  }, 120_000);

  afterAll(async () => {
    await d?.close();
  });

  it('uploads a CSV on the Imports page: progress, the report, the rejected row with line, column and reason, and the history', async () => {
    await d.signIn(d.login.email, d.login.password);
    await page.getByRole('link', { name: 'Imports' }).click();
    await page.waitForURL(/\/imports$/);
    await page.getByText('No imports yet').waitFor();
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({
      name: 'people.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    await page.getByLabel('What the file holds').selectOption('customers');
    await page.getByRole('button', { name: 'Start import' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    const progress = await page.getByTestId('import-progress').textContent();
    expect(progress).toMatch(/100%.*3 rows.*rows\/s.*1 rejected/);
    expect(await report.textContent()).toMatch(/Created2.*Rejected1/);
    const rejected = page.getByTestId('rejections').locator('tbody tr');
    expect(await rejected.count()).toBe(1);
    expect(await rejected.first().textContent()).toMatch(/^3birthday.+/);
    await page.getByTestId('import-history').getByText('people.csv').waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download all rejected rows (CSV)' }).click();
    expect((await download).suggestedFilename()).toBe('people.rejects.csv');
    await shot('ops-01-import-report');
    await fitsPhoneWidth('ops-01b-import-phone');
    const imported = await v1('/v1/customers?external_id=ui-1');
    expect(imported.body.data[0].email).toBe('ana@upload.example');
  });

  it('logs a call outcome on the call list; the customer leaves the list and the call shows on their page', async () => {
    await page.getByRole('link', { name: 'Call list' }).click();
    const first = page.getByTestId('call-list').locator('li.call-item').first();
    await first.waitFor();
    const link = first.locator('a.cell-title');
    const name = (await link.textContent())!;
    const href = (await link.getAttribute('href'))!;
    await first.getByRole('button', { name: /^Log call/ }).click();
    await first.getByLabel('Order promised').check();
    await first.getByLabel('Note').fill('Will reorder the blue one on Friday');
    await shot('ops-02-call-form');
    await first.getByRole('button', { name: 'Save call' }).click();
    await page.getByText(`Call with ${name} saved: they leave the list for two weeks.`).waitFor();
    await expect.poll(() => page.locator(`a.cell-title[href="${href}"]`).count()).toBe(0);
    await page.goto(base + href);
    const calls = page.getByTestId('calls');
    await calls.waitFor();
    expect(await calls.textContent()).toContain('Will reorder the blue one on Friday');
    expect(await calls.textContent()).toContain('Order promised');
    await calls.scrollIntoViewIfNeeded();
    await shot('ops-03-customer-calls');
    // The timeline merges the call (the newest thing that happened) with the orders.
    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    const newest = timeline.locator('li.timeline-item').first();
    expect(await newest.getAttribute('data-kind')).toBe('call');
    expect(await newest.textContent()).toContain(
      'Called: order promised — “Will reorder the blue one on Friday”',
    );
    const order = timeline.locator('li.timeline-item[data-kind="order"]').first();
    expect(await order.textContent()).toMatch(/Ordered .+ — order #\S+/);
    // A call logged on this page shows at the top of the timeline without a reload.
    const form = page.getByRole('form', { name: 'Log a call' });
    await form.getByLabel('No answer').check();
    await form.getByLabel('Note').fill('Voicemail, try Monday');
    await form.getByRole('button', { name: 'Save call' }).click();
    await expect
      .poll(async () => timeline.locator('li.timeline-item').first().textContent())
      .toContain('Voicemail, try Monday');
    await timeline.scrollIntoViewIfNeeded();
    await shot('ops-03b-customer-timeline');
    await fitsPhoneWidth();
  });

  it('edits settings: a wrong currency is named under its field; a new sleeping factor is saved and a recompute shows its steps', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Currency').fill('EURO');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#set-currency-error').waitFor();
    expect(await page.locator('#set-currency-error').textContent()).toContain('ISO 4217');
    expect(await page.getByLabel('Currency').getAttribute('aria-invalid')).toBe('true');
    // The browser logs the refused request itself (422) as a console error; nothing else may appear.
    expect(consoleErrors.splice(0)).toEqual([expect.stringMatching(/status of 422/)]);
    await shot('ops-04-settings-invalid');
    await fitsPhoneWidth();
    await page.getByLabel('Currency').fill('EUR');
    await page.getByLabel('Sleeping after (usual intervals)').fill('2.5');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.getByRole('button', { name: 'Recompute now' }).click();
    await page
      .getByText(/Now: |Starting…|recomputed/)
      .first()
      .waitFor();
    await shot('ops-05-settings-recompute');
    await page.getByText('The scores were recomputed with the new settings.').waitFor({ timeout: 60_000 });
    const analytics = await d.v1<{ report: { segments: { sleepingFactor: number } } }>('/v1/analytics');
    expect(analytics.body.report.segments.sleepingFactor).toBe(2.5);
  });

  it('creates an API key shown once, which works, and revokes it', async () => {
    await page.getByLabel('Name of the new key').fill('CRM sync');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-key').locator('.secret').textContent())!;
    expect((await v1('/v1/store', secret)).status).toBe(200);
    const prefix = secret.split('_').slice(0, 2).join('_');
    const row = page.getByTestId('api-keys').locator('tr', { hasText: 'CRM sync' });
    await row.getByRole('button', { name: `Revoke ${prefix}` }).click();
    await row.getByRole('button', { name: `Yes, revoke ${prefix}` }).click();
    await row.getByText('Revoked').waitFor();
    await expect.poll(async () => (await v1('/v1/store', secret)).status).toBe(401);
    await shot('ops-06-api-keys');
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
  });

  it('hides imports and settings from an account manager, and the API refuses them', async () => {
    await d.addStaff(ELENA, 'account_manager', 'elena-password-1');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await d.signIn(ELENA, 'elena-password-1');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Customers', 'Call list']);
    await page.goto(`${base}/settings`);
    await page.getByText('Not available for your role').waitFor();
    await page.goto(`${base}/imports`);
    await page.getByText('Not available for your role').waitFor();
    await shot('ops-07-account-manager-refused');
    const statuses = await page.evaluate(async () => {
      const csrf = ((await (await fetch('/app/api/me')).json()) as { csrf_token: string }).csrf_token;
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
      const read = await fetch('/app/api/settings');
      const edit = await fetch('/app/api/settings', { method: 'PATCH', headers, body: '{"name":"x"}' });
      const key = await fetch('/app/api/api-keys', { method: 'POST', headers, body: '{"name":"x"}' });
      const imports = await fetch('/app/api/imports');
      return [read.status, edit.status, key.status, imports.status];
    });
    expect(statuses).toEqual([403, 403, 403, 403]);
    for (const e of consoleErrors) expect(e).toMatch(/status of 403/);
  });
});
