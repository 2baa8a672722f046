import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { readLock } from '../src/db/data-dir-lock.ts';
import { type RunningServer, startServer } from '../src/main.ts';

/**
 * The dashboard's operational pages in Chromium, on the demo store as `npm start` makes it: an owner
 * uploads a CSV and watches its progress, report and rejected row; logs a call outcome on the call
 * list and finds it on the customer's page; edits settings (a refused value, then a recompute with
 * its steps); creates and revokes an API key. An account manager meets none of it. Screenshots go to
 * test-artifacts/dashboard/ (ops-*.png).
 */

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.resolve('test-artifacts/dashboard');
const ELENA = 'elena.manager@example.com';

const CSV = [
  'customer_id,email,first_name,last_name,birthday',
  'ui-1,ana@upload.example,Ana,Popa,1990-04-02',
  'ui-2,bob@upload.example,Bob,Stan,1985-13-40',
  'ui-3,cem@upload.example,Cem,Yilmaz,',
].join('\n');

describe('dashboard operations in a browser', () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let login: { email: string; password: string };
  let apiKey: string;
  let dataDir: string;
  const dirs: string[] = [];
  const consoleErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const v1 = async (url: string, key = apiKey) => {
    const res = await fetch(base + url, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as { data: Array<Record<string, string>> } };
  };
  async function signIn(email: string, password: string) {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname !== '/login');
  }
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium (the browser test needs Debian's Chromium)`,
      );
    }
    mkdirSync(SHOTS, { recursive: true });
    const tmp = (p: string) => {
      const d = mkdtempSync(path.join(os.tmpdir(), p));
      dirs.push(d);
      return d;
    };
    // Build the dashboard from the sources into a temporary directory: the test sees this tree's UI.
    const webDir = tmp('comeback-web-');
    await build({
      configFile: path.resolve('web/vite.config.ts'),
      logLevel: 'error',
      build: { outDir: webDir, emptyOutDir: true },
    });
    dataDir = tmp('comeback-data-');
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      server = await startServer(
        loadConfig({
          PORT: '0',
          COMEBACK_DATA_DIR: dataDir,
          COMEBACK_DEMO: 'auto',
          COMEBACK_DEMO_CUSTOMERS: '300',
          COMEBACK_WEB_DIR: webDir,
          LOG_LEVEL: 'silent',
        }),
      );
      base = server.url;
      // The first start prints the banner once the demo store is in: the login and the API key.
      await vi.waitFor(() => expect(printed.join('')).toContain('Dashboard login:'), {
        timeout: 60_000,
        interval: 200,
      });
    } finally {
      write.mockRestore();
    }
    const banner = printed.join('');
    const m = /Dashboard login:\s+(\S+) \/ (\S+)/.exec(banner)!;
    login = { email: m[1], password: m[2] };
    apiKey = /Demo store API key:\s+(\S+)/.exec(banner)![1];
    expect(banner).toContain(`Dashboard:            ${base}/`);
    // The demo's scores are queued on the worker after the load.
    await vi.waitFor(async () => expect((await v1('/v1/analytics')).status).toBe(200), {
      timeout: 60_000,
      interval: 500,
    });

    context = await chromium.launchPersistentContext(tmp('pw-'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    try {
      await context?.close();
    } finally {
      await server?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it('uploads a CSV on the Imports page: progress, the report, the rejected row with line, column and reason, and the history', async () => {
    await signIn(login.email, login.password);
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
    const r = await fetch(`${base}/v1/analytics`, { headers: { authorization: `Bearer ${apiKey}` } });
    const analytics = (await r.json()) as { report: { segments: { sleepingFactor: number } } };
    expect(analytics.report.segments.sleepingFactor).toBe(2.5);
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
    const token = readLock(dataDir)!.adminToken!;
    const created = await fetch(`${base}/admin/v1/stores/demo/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: ELENA, role: 'account_manager', password: 'elena-password-1' }),
    });
    expect(created.status).toBe(201);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await signIn(ELENA, 'elena-password-1');
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
