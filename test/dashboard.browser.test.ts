import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DemoDashboard, openDemoDashboard } from './browser.ts';

/**
 * The dashboard end to end, as a store owner meets it: `startServer` on a fresh embedded database
 * loads the demo store and prints the login; Chromium signs in, opens every page, and checks the
 * overview's numbers against GET /v1/analytics; then an account manager meets the role limits in
 * the UI and the API. Screenshots go to test-artifacts/dashboard/.
 */

const ELENA = 'elena.manager@example.com';
const MEHMET = 'mehmet.manager@example.com';

// The dashboard's formatting (web/src/format.ts): en-US, thousands separators, the store's currency.
const int = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);
const pct = (r: number) =>
  new Intl.NumberFormat('en-US', {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(r);
const money = (n: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(n);
const num2 = (n: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);

/** The parts of the API's answers this test reads. */
interface Report {
  summary: {
    repeatPurchaseRate: number;
    averageMonthlyRetentionRate: number;
    repeatRevenueShare: number;
    aov: number;
    purchaseFrequency: number;
    simpleClv: number;
    currency: string;
    verdict: { reason: string };
  };
  segments: { lifecycle: Record<string, number>; rfm: Record<string, number>; sleeping: number };
}
interface Trends {
  months: Array<{ month: string; aovMinor: number | null }>;
  runs: Array<{ simpleClv: number }>;
}
interface CustomerList {
  data: Array<{ id: string; external_id: string; email: string }>;
}
interface Customer360 {
  scores: { reason: string; p_alive: number };
  orders: unknown[];
  consents: Array<{ status: string }>;
}

describe('dashboard in a browser', () => {
  let d: DemoDashboard;
  let page: Page;
  let base: string;
  let login: { email: string; password: string };
  let report: Report;

  const shot = (name: string) => d.shot(name);
  const v1 = <T>(url: string) => d.v1<T>(url);
  const signIn = (email: string, password: string) => d.signIn(email, password);

  beforeAll(async () => {
    d = await openDemoDashboard({ customers: 300 });
    ({ page, base, login } = d);
    expect(d.banner).toContain(`Dashboard:            ${base}/`);
    // The demo's scores are queued on the worker after the load.
    await vi.waitFor(
      async () => {
        const r = await v1<{ report: Report }>('/v1/analytics');
        expect(r.status).toBe(200);
        report = r.body.report;
      },
      { timeout: 60_000, interval: 500 },
    );
  }, 120_000);

  afterAll(async () => {
    await d?.close();
  });

  it("signs the owner in with the printed login and shows the overview's numbers exactly as /v1/analytics has them", async () => {
    await page.goto(base);
    await page.waitForURL(/\/login$/);
    await shot('01-login');
    await signIn(login.email, login.password);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByTestId('verdict').waitFor();
    const s = report.summary;
    const life = report.segments.lifecycle;
    const expected: Record<string, string> = {
      'kpi-repeat-rate': pct(s.repeatPurchaseRate),
      'kpi-retention': pct(s.averageMonthlyRetentionRate),
      'kpi-returning-revenue': pct(s.repeatRevenueShare),
      'kpi-aov': money(s.aov, s.currency),
      'kpi-frequency': num2(s.purchaseFrequency),
      'kpi-clv': money(s.simpleClv, s.currency),
      'kpi-active': int(life.active + life.vip + life.new),
      'kpi-at-risk': int(life.at_risk),
      'kpi-sleeping': int(report.segments.sleeping),
    };
    for (const [id, value] of Object.entries(expected)) {
      expect(await page.getByTestId(id).textContent(), id).toBe(value);
    }
    expect(await page.getByTestId('verdict').textContent()).toContain(s.verdict.reason);
    await expect
      .poll(() => page.getByText(`${int(report.segments.sleeping)} customers are sleeping`).count())
      .toBe(1);
    await page.locator('canvas').first().waitFor();
    await shot('02-overview');
  });

  it('shows a trend under every number: 12 months from the orders, the nightly runs for CLV and health', async () => {
    const trends = (await page.evaluate(async () =>
      (await fetch('/app/api/analytics/trends')).json(),
    )) as Trends;
    const months = trends.months;
    expect(months).toHaveLength(12);
    const monthly = {
      'trend-repeat-rate': 'Repeat purchase rate',
      'trend-retention': 'Monthly retention rate',
      'trend-returning-revenue': 'Revenue from returning customers',
      'trend-aov': 'Average order value',
      'trend-frequency': 'Orders per buying customer',
    };
    for (const [id, name] of Object.entries(monthly)) {
      const chart = page.getByTestId(id).getByRole('img');
      await chart.locator('canvas').waitFor();
      const label = await chart.getAttribute('aria-label');
      expect(label, id).toMatch(new RegExp(`^${name} by month, last 12 months: `));
      expect(label, id).toContain(' so far ');
      expect(await page.getByTestId(id).locator('.trend-words').textContent(), id).toMatch(
        / (up|down) from | as in /,
      );
    }
    // The AOV label reads each month's value as the API has it, in the store's currency.
    const last = months[11];
    const monthName = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', timeZone: 'UTC' });
    const [y, m] = last.month.split('-').map(Number);
    expect(await page.getByTestId('trend-aov').getByRole('img').getAttribute('aria-label')).toContain(
      `${monthName.format(new Date(Date.UTC(y, m - 1, 1)))} so far ${money((last.aovMinor ?? 0) / 100, report.summary.currency)}`,
    );
    // The demo has had one score run: one point each, and the page says the line comes later.
    expect(trends.runs.length).toBeGreaterThanOrEqual(1);
    for (const id of ['trend-active', 'trend-at-risk', 'trend-sleeping', 'trend-clv']) {
      await page.getByTestId(id).getByRole('img').locator('canvas').waitFor();
      if (trends.runs.length === 1) {
        expect(await page.getByTestId(id).textContent(), id).toContain(
          'the trend starts after more nightly runs',
        );
      }
    }
    expect(await page.getByTestId('trend-clv').getByRole('img').getAttribute('aria-label')).toContain(
      money(trends.runs[trends.runs.length - 1].simpleClv, report.summary.currency),
    );
    await shot('02b-overview-trends');
    expect(d.consoleErrors).toEqual([]);
  });

  it('opens cohorts (heatmap with hover details) and segments, and a segment click filters the customer list', async () => {
    await page.getByRole('link', { name: 'Cohorts' }).click();
    await page.waitForURL(/\/cohorts$/);
    const heatmap = page.locator('canvas').first();
    await heatmap.waitFor();
    const box = (await heatmap.boundingBox())!;
    // The first row's first cells: the oldest cohort a month or two after its first order.
    await page.mouse.move(box.x + 135, box.y + 16);
    const tooltip = page.getByText(/\d+ months? after their first order:/);
    await expect.poll(() => tooltip.count(), { timeout: 5_000 }).toBeGreaterThan(0);
    await shot('03-cohorts');

    await page.getByRole('link', { name: 'Segments' }).click();
    await page.waitForURL(/\/segments$/);
    const champions = page.getByTestId('segment-Champions');
    await champions.waitFor();
    expect(await champions.textContent()).toContain(int(report.segments.rfm.Champions));
    await shot('04-segments');
    await page.getByTestId('stage-at_risk').click();
    await page.waitForURL(/\/customers\?stage=at_risk$/);
    const rows = page.getByTestId('customer-table').locator('tbody tr');
    await rows.first().waitFor();
    const stages = await rows.locator('td:nth-child(2)').allTextContents();
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) expect(stage).toBe('At risk');
    expect(await page.getByLabel('Stage').inputValue()).toBe('at_risk');
  });

  it('finds a customer by email and shows the 360 view: predictions with the reason, consents, orders', async () => {
    const someone = (await v1<CustomerList>('/v1/customers?sleeping=true&limit=1')).body.data[0];
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.waitForURL(/\/customers$/);
    const address = { line1: 'Lindenstraße 12', postal_code: '10115', city: 'Berlin', country: 'DE' };
    const upsert = { external_id: someone.external_id, email: someone.email, address };
    expect((await d.v1('/v1/customers', { method: 'POST', body: upsert })).status).toBeLessThan(300);
    await page.getByRole('searchbox', { name: 'Search' }).fill(someone.email);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const link = page.getByTestId('customer-table').getByRole('link').first();
    await link.waitFor();
    await shot('05-customers');
    await link.click();
    await page.waitForURL(new RegExp(`/customers/${someone.id}$`));
    const c = (await v1<Customer360>(`/v1/customers/${someone.id}`)).body;
    await page.getByTestId('reason').waitFor();
    expect(await page.getByTestId('reason').textContent()).toContain(c.scores.reason);
    expect(await page.getByTestId('p-alive').textContent()).toBe(`${Math.round(c.scores.p_alive * 100)}%`);
    expect(await page.getByTestId('orders').locator('li').count()).toBe(c.orders.length);
    const consents = await page.getByTestId('consents').textContent();
    for (const k of c.consents) expect(consents).toContain(k.status === 'granted' ? 'Granted' : 'Withdrawn');
    expect(await page.getByTestId('address').innerText()).toBe('Lindenstraße 12\n10115 Berlin\nGermany');
    await page
      .getByText('Everything that happened with this customer, newest first: orders, points, rewards, calls.')
      .waitFor();
    await shot('06-customer-360');

    await page.getByRole('link', { name: 'Call list' }).click();
    await page.getByTestId('call-list').waitFor();
    await shot('07-call-list');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'People' }).waitFor();
    await shot('08-settings');
  });

  it('works at phone width with a keyboard-operable menu', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(base);
    await page.getByTestId('verdict').waitFor();
    const menu = page.getByRole('button', { name: 'Menu', exact: true });
    await menu.focus();
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('link', { name: 'Segments' }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.locator(':focus').textContent()).toBe('Customers');
    await shot('09-phone-menu');
    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await page.locator('canvas').first().waitFor();
    await shot('10-phone-overview');
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(d.consoleErrors).toEqual([]);
  });

  it("keeps an account manager to their own customers: settings and others' customers are hidden in the UI and refused by the API", async () => {
    await d.addStaff(ELENA, 'account_manager', 'elena-password-1');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await signIn(ELENA, 'elena-password-1');
    expect(new URL(page.url()).pathname).toBe('/call-list');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Customers', 'Call list']);

    await page.getByRole('link', { name: 'Customers' }).click();
    const own = (await v1<CustomerList>(`/v1/customers?account_manager=${ELENA}&limit=500`)).body.data;
    const rows = page.getByTestId('customer-table').locator('tbody tr');
    // the list loads after the navigation: wait for its rows before counting them
    if (own.length > 0) await rows.nth(Math.min(50, own.length) - 1).waitFor();
    expect(await rows.count()).toBe(Math.min(50, own.length));

    await page.goto(`${base}/settings`);
    await page.getByText('Not available for your role').waitFor();
    const other = (await v1<CustomerList>(`/v1/customers?account_manager=${MEHMET}&limit=1`)).body.data[0];
    await page.goto(`${base}/customers/${other.id}`);
    await page.getByText('Not one of your customers').waitFor();
    await shot('11-account-manager-refused');
    const statuses = await page.evaluate(async (id) => {
      const settings = await fetch('/app/api/settings');
      const customer = await fetch(`/app/api/customers/${id}`);
      const report = await fetch('/app/api/analytics');
      return [settings.status, customer.status, report.status];
    }, other.id);
    expect(statuses).toEqual([403, 403, 403]);
    // The only console errors are the refused requests themselves.
    for (const e of d.consoleErrors) expect(e).toMatch(/status of 403/);
  });
});
