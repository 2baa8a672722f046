import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm install` (the `prepare` script) builds the dashboard. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The dashboard's pages: each answers with index.html and the React router takes over. */
export const DASHBOARD_PAGES = [
  '/',
  '/login',
  '/cohorts',
  '/segments',
  '/customers',
  '/customers/:id',
  '/call-list',
  '/imports',
  '/settings',
  '/loyalty',
  '/promotions',
  '/promotions/:id',
] as const;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

function notBuilt(webDir: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Comeback: dashboard not built</title><style>body{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:40rem;padding:0 1rem;color:#1a1a1a}
code{background:#f1f3f5;padding:.1rem .3rem;border-radius:4px}</style></head><body>
<h1>The dashboard is not built yet</h1>
<p>Comeback is running (the <a href="/docs">API</a> works), but <code>${webDir.replace(/[&<>"']/g, '')}</code> has no dashboard.
Build it with <code>npm run build:web</code> (<code>npm install</code> does it too), then reload this page.</p>
</body></html>`;
}

/**
 * Serves the built dashboard (web/dist): hashed assets cached for a year, the pages as index.html
 * never cached. Without a build, the pages explain how to make one instead of failing.
 */
export async function registerDashboardWeb(app: FastifyInstance, webDir = DEFAULT_WEB_DIR): Promise<void> {
  const assets = path.join(webDir, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      decorateReply: false,
      immutable: true,
      maxAge: '365d',
      index: false,
    });
  }
  const page = async (_req: unknown, reply: FastifyReply) => {
    reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' }).type('text/html; charset=utf-8');
    try {
      return await readFile(path.join(webDir, 'index.html'), 'utf8');
    } catch {
      reply.status(503);
      return notBuilt(webDir);
    }
  };
  for (const url of DASHBOARD_PAGES) app.get(url, { schema: { hide: true } }, page);
  app.get('/favicon.svg', { schema: { hide: true } }, async (_req, reply) => {
    try {
      const svg = await readFile(path.join(webDir, 'favicon.svg'));
      return reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(svg);
    } catch {
      return reply.status(404).send();
    }
  });
}
