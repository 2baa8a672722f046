import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../http/context.ts';
import { IdParams } from '../http/resource.ts';
import { acceptCsvBodies, handleImport, ImportQuery } from '../imports/routes.ts';
import { notFound } from '../kernel/errors.ts';
import { staffOf } from '../staff/routes.ts';

const hidden = { hide: true } as const;

/**
 * CSV imports from the dashboard: the same import as `POST /v1/imports` and the CLI (progress streamed
 * as ndjson), its history, and each run's rejected rows as a CSV download.
 */
export async function registerImportsApi(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // The CSV parsers stay in this scope: the JSON routes beside it keep refusing other bodies.
  await app.register(async (scope) => {
    acceptCsvBodies(scope);
    scope
      .withTypeProvider<ZodTypeProvider>()
      .post(
        '/app/api/imports',
        { config: { permission: 'imports' }, schema: { ...hidden, querystring: ImportQuery } },
        async (req, reply) => {
          const { storeId } = staffOf(req);
          const store = await ctx.db.query<{ currency: string }>(
            'select currency from stores where id = $1',
            [storeId],
          );
          return handleImport(
            ctx,
            storeId,
            store.rows[0].currency,
            req.query,
            { to: 'database' },
            req,
            reply,
          );
        },
      );
  });
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/app/api/imports', { config: { permission: 'imports' }, schema: hidden }, async (req) => {
    const { storeId } = staffOf(req);
    const res = await ctx.db.query(
      `select id, kind, format, file_name, status, dry_run, report, error, started_at, finished_at,
         rejects_csv is not null as has_rejects
       from import_runs where store_id = $1 order by id desc limit 50`,
      [storeId],
    );
    return { data: res.rows };
  });
  r.get(
    '/app/api/imports/:id/rejects.csv',
    { config: { permission: 'imports' }, schema: { ...hidden, params: IdParams } },
    async (req, reply) => {
      const { storeId } = staffOf(req);
      const res = await ctx.db.query<{ rejects_csv: string | null; file_name: string | null }>(
        'select rejects_csv, file_name from import_runs where store_id = $1 and id = $2',
        [storeId, req.params.id],
      );
      const run = res.rows[0];
      if (!run?.rejects_csv) throw notFound('Rejected rows of import', req.params.id);
      const base = (run.file_name ?? 'import').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_');
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${base}.rejects.csv"`);
      return run.rejects_csv;
    },
  );
}
