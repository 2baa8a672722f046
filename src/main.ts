import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Config } from './config.ts';
import { openDatabase } from './db/open.ts';
import { DEMO_SLUG, loadDemoStore } from './demo/load.ts';
import { registerDemoAdminRoute } from './demo/routes.ts';
import { buildApp } from './http/app.ts';
import type { AppContext } from './http/context.ts';
import { registerImportRoutes } from './imports/routes.ts';
import { startWorker, type Worker } from './jobs/worker.ts';
import { createIdGenerator } from './kernel/ids.ts';
import { type DemoLogin, ensureDemoOwner } from './staff/demo-owner.ts';
import { findStoreBySlug, listStores } from './stores/repository.ts';
import { systemClock } from './system-clock.ts';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * The composition root: opens and migrates the database, builds the API, starts the worker, listens,
 * and on an empty database loads the demo store in the background.
 */
export async function startServer(config: Config): Promise<RunningServer> {
  const log = pino({ level: config.logLevel });
  const opened = await openDatabase(config, 'comeback serve');
  const adminToken = randomBytes(24).toString('base64url');
  const base = { db: opened.db, ids: createIdGenerator(), clock: systemClock };
  const worker = await startWorker(base, log);
  const ctx: AppContext = { ...base, adminToken, version: VERSION, jobs: worker };
  const app = await buildApp(ctx, {
    logger: log,
    v1Plugins: [registerImportRoutes],
    adminPlugins: [registerImportRoutes, registerDemoAdminRoute],
    dashboard: { webDir: config.webDir, secureCookies: config.publicUrl?.startsWith('https:') ?? false },
  });
  const address = await app.listen({ port: config.port, host: config.host });
  const url = config.publicUrl ?? address.replace('[::1]', 'localhost');
  opened.lock?.update({ url: address, adminToken });

  const fresh = (await listStores(ctx.db)).length === 0;
  if (fresh && config.demo === 'auto') {
    log.info('empty database: loading the demo store in the background');
    loadDemoStore(ctx, { customers: config.demoCustomers, seed: 42, now: new Date() })
      .then((r) => {
        log.info({ counts: r.counts }, 'demo store loaded');
        void worker.recomputeScores(r.storeId, 'demo loaded');
        printBanner(url, r.apiKey ?? null, r.login, true);
      })
      .catch((err) => log.error({ err }, 'loading the demo store failed'));
  } else {
    const demo = await findStoreBySlug(ctx.db, DEMO_SLUG);
    // A demo store made before staff logins existed gets its owner now.
    const login = demo ? await ensureDemoOwner(ctx.db, ctx.ids, demo.id) : null;
    printBanner(url, (demo?.settings.demo_api_key as string | undefined) ?? null, login, false);
  }

  let stopped = false;
  return {
    app,
    url,
    worker,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await worker.stop();
      await opened.close();
    },
  };
}

function printBanner(
  url: string,
  demoKey: string | null,
  login: DemoLogin | null,
  firstStart: boolean,
): void {
  const lines = [
    '',
    `  Comeback is running at ${url}`,
    `  Dashboard:            ${url}/`,
    login
      ? `  Dashboard login:      ${login.email} / ${login.password}`
      : '  Add a dashboard user: npx comeback users create --store <slug> --email <you> --role owner',
    `  API reference:        ${url}/docs`,
    demoKey
      ? `  Demo store API key:   ${demoKey}`
      : '  Create an API key:    npx comeback keys create --store <slug>',
    demoKey
      ? `  Try it:               curl -H "Authorization: Bearer ${demoKey}" ${url}/v1/orders?limit=1`
      : '',
    firstStart ? '  (the demo store was just generated: 2 years of synthetic orders)' : '',
    '',
  ].filter((l, i, a) => l !== '' || i === 0 || i === a.length - 1);
  process.stdout.write(`${lines.join('\n')}\n`);
}
