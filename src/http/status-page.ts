import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `/`: a plain status page (stores and their counts, links to the API docs) until the dashboard lands. */
export function registerStatusPage(app: FastifyInstance, ctx: AppContext): void {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    const stores = await ctx.db.query<{
      slug: string;
      name: string;
      customers: number;
      orders: number;
      products: number;
      carts: number;
      revenue_minor: number;
      currency: string;
    }>(
      `select s.slug, s.name, s.currency,
         (select count(*) from customers c where c.store_id = s.id)::int as customers,
         (select count(*) from orders o where o.store_id = s.id)::int as orders,
         (select count(*) from products p where p.store_id = s.id)::int as products,
         (select count(*) from carts k where k.store_id = s.id)::int as carts,
         (select coalesce(sum(total_minor), 0) from orders o where o.store_id = s.id)::int8 as revenue_minor
       from stores s order by s.slug`,
    );
    const rows = stores.rows
      .map(
        (s) =>
          `<tr><td>${escapeHtml(s.slug)}</td><td>${escapeHtml(s.name)}</td><td>${s.customers.toLocaleString('en')}</td>` +
          `<td>${s.orders.toLocaleString('en')}</td><td>${s.products.toLocaleString('en')}</td><td>${s.carts.toLocaleString('en')}</td>` +
          `<td>${(s.revenue_minor / 100).toLocaleString('en', { maximumFractionDigits: 0 })} ${escapeHtml(s.currency)}</td></tr>`,
      )
      .join('');
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Comeback</title><style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
td:nth-child(n+3),th:nth-child(n+3){text-align:right}a{color:#0b57d0}</style></head><body>
<h1>Comeback is running</h1><p>Version ${escapeHtml(ctx.version)} · database: ${ctx.db.kind === 'pglite' ? 'embedded (PGlite)' : 'PostgreSQL'}</p>
<h2>Stores</h2><table><thead><tr><th>Slug</th><th>Name</th><th>Customers</th><th>Orders</th><th>Products</th><th>Carts</th><th>Revenue</th></tr></thead>
<tbody>${rows || '<tr><td colspan="7">No store yet: <code>comeback stores create my-shop</code></td></tr>'}</tbody></table>
<h2>Next</h2><ul><li><a href="/docs">API reference (OpenAPI)</a> · <a href="/openapi.json">openapi.json</a></li>
<li>Create an API key: <code>npx comeback keys create --store demo</code></li><li><a href="/health">/health</a></li></ul></body></html>`;
  });
}
