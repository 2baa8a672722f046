import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../http/context.ts';
import { IdParams } from '../http/resource.ts';
import { acceptCsvBodies, handleImport, ImportQuery } from '../imports/routes.ts';
import { importRunRejects, recentImportRuns } from '../imports/run-repository.ts';
import { notFound } from '../kernel/errors.ts';
import { staffOf } from '../staff/routes.ts';
import { storeCurrency } from '../stores/repository.ts';

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
          return handleImport(
            ctx,
            storeId,
            await storeCurrency(ctx.db, storeId),
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
    return { data: await recentImportRuns(ctx.db, storeId) };
  });
  r.get(
    '/app/api/imports/:id/rejects.csv',
    { config: { permission: 'imports' }, schema: { ...hidden, params: IdParams } },
    async (req, reply) => {
      const { storeId } = staffOf(req);
      const run = await importRunRejects(ctx.db, storeId, req.params.id);
      if (!run?.rejects_csv) throw notFound('Rejected rows of import', req.params.id);
      const base = (run.file_name ?? 'import').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_');
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${base}.rejects.csv"`);
      return run.rejects_csv;
    },
  );
}
