import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { expect, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { readLock } from '../src/db/data-dir-lock.ts';
import { type RunningServer, startServer } from '../src/main.ts';

const CHROMIUM = '/usr/bin/chromium';
/** Where browser tests save their screenshots. */
export const SHOTS = path.resolve('test-artifacts/dashboard');

function launch(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
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
}

/** The demo store as `npm start` makes it, with Chromium signed in to nothing yet. */
export interface DemoDashboard {
  server: RunningServer;
  base: string;
  /** The demo owner's login, as the banner prints it. */
  login: { email: string; password: string };
  apiKey: string;
  /** What the first start printed. */
  banner: string;
  dataDir: string;
  context: BrowserContext;
  page: Page;
  /** Every console error and page error so far. */
  consoleErrors: string[];
  shot(name: string): Promise<unknown>;
  signIn(email: string, password: string): Promise<void>;
  /** GET on the /v1 API with the demo key. */
  /** Calls the API with the demo store's key (a GET, or `init`'s method with its JSON body). */
  v1<T>(url: string, init?: { method: string; body: unknown }): Promise<{ status: number; body: T }>;
  /** Adds a staff user through the admin API (the CLI's route). */
  addStaff(email: string, role: 'owner' | 'marketer' | 'account_manager', password: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the dashboard from this tree's sources into a temporary directory, starts the server on a
 * fresh embedded database with `customers` demo customers, reads the printed login and API key, and
 * launches Debian's Chromium as STACK.md says (a persistent context; closed in `close`).
 */
export async function openDemoDashboard(options: { customers: number }): Promise<DemoDashboard> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (the browser test needs Debian's Chromium)`,
    );
  }
  mkdirSync(SHOTS, { recursive: true });
  const dirs: string[] = [];
  const tmp = (p: string) => {
    const d = mkdtempSync(path.join(os.tmpdir(), p));
    dirs.push(d);
    return d;
  };
  const webDir = tmp('comeback-web-');
  await build({
    configFile: path.resolve('web/vite.config.ts'),
    logLevel: 'error',
    build: { outDir: webDir, emptyOutDir: true },
  });
  const dataDir = tmp('comeback-data-');
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  });
  let server: RunningServer;
  try {
    server = await startServer(
      loadConfig({
        PORT: '0',
        COMEBACK_DATA_DIR: dataDir,
        COMEBACK_DEMO: 'auto',
        COMEBACK_DEMO_CUSTOMERS: String(options.customers),
        COMEBACK_WEB_DIR: webDir,
        LOG_LEVEL: 'silent',
      }),
    );
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
  const apiKey = /Demo store API key:\s+(\S+)/.exec(banner)![1];
  const base = server.url;

  let context: BrowserContext;
  try {
    context = await launch(tmp('pw-'));
  } catch (err) {
    await server.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));

  return {
    server,
    base,
    login: { email: m[1], password: m[2] },
    apiKey,
    banner,
    dataDir,
    context,
    page,
    consoleErrors,
    shot: (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }),
    async signIn(email, password) {
      await page.goto(`${base}/login`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.pathname !== '/login');
    },
    async v1<T>(url: string, init?: { method: string; body: unknown }) {
      const res = await fetch(base + url, {
        method: init?.method ?? 'GET',
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(init ? { 'content-type': 'application/json' } : {}),
        },
        body: init ? JSON.stringify(init.body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async addStaff(email, role, password) {
      const token = readLock(dataDir)!.adminToken!;
      const res = await fetch(`${base}/admin/v1/stores/demo/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email, role, password }),
      });
      expect(res.status).toBe(201);
    },
    async close() {
      try {
        await context.close();
      } finally {
        await server.stop();
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      }
    },
  };
}
