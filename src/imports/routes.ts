import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../http/context.ts';
import { ComebackError } from '../kernel/errors.ts';
import { FILE_FORMATS, IMPORT_KINDS } from '../orders/formats/types.ts';
import { getStoreBySlug, storeCurrency } from '../stores/repository.ts';
import { parseOptionsFor, runImport } from './run-import.ts';
import { failImportRun, finishImportRun, recentImportRuns, startImportRun } from './run-repository.ts';
import { databaseSink } from './sink.ts';

export const ImportQuery = z.object({
  kind: z.enum(IMPORT_KINDS),
  format: z.enum(FILE_FORMATS).default('generic'),
  dry_run: z.enum(['true', 'false', '1', '0']).optional(),
  locale: z.enum(['en', 'de']).default('en'),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/)
    .optional(),
  file_name: z.string().max(500).optional(),
});

/** The most of a run's rejects file kept in the database for download (import_runs.rejects_csv). */
export const MAX_STORED_REJECTS = 5 * 1024 * 1024;

/** The start of a rejects file, at most MAX_STORED_REJECTS bytes and cut at a line end; null when none was written. */
async function readStoredRejects(path: string | null): Promise<string | null> {
  if (!path) return null;
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min((await file.stat()).size, MAX_STORED_REJECTS + 1));
    const { bytesRead } = await file.read(buf, 0, buf.length, 0);
    if (bytesRead <= MAX_STORED_REJECTS) return buf.subarray(0, bytesRead).toString('utf8');
    const cut = buf.lastIndexOf(10, MAX_STORED_REJECTS - 1);
    return buf.subarray(0, cut + 1).toString('utf8');
  } finally {
    await file.close();
  }
}

/** CSV bodies arrive as a stream and are parsed while they upload: memory stays bounded. */
export function acceptCsvBodies(app: FastifyInstance): void {
  for (const type of ['text/csv', 'text/plain', 'application/octet-stream', 'text/tab-separated-values']) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
  }
}

/**
 * Where an import's rejected rows go besides the report: a file at a path (the local CLI), or the
 * database, for download later (the dashboard); null: the report only.
 */
export type RejectsTarget = { to: 'file'; path: string } | { to: 'database' } | null;

/** Runs an import of the request's CSV body into a store and records it in import_runs. */
export async function handleImport(
  ctx: AppContext,
  storeId: string,
  currency: string,
  query: z.infer<typeof ImportQuery>,
  rejects: RejectsTarget,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  if (!(req.body instanceof Readable)) {
    throw new ComebackError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the file as the request body with Content-Type: text/csv',
    );
  }
  const dryRun = query.dry_run === 'true' || query.dry_run === '1';
  const runId = ctx.ids('importRun');
  await startImportRun(ctx.db, storeId, {
    id: runId,
    kind: query.kind,
    format: query.format,
    fileName: query.file_name ?? null,
    dryRun,
  });
  const stream = (req.headers.accept ?? '').includes('application/x-ndjson');
  if (stream) {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
  }
  const send = (o: unknown) => stream && reply.raw.write(`${JSON.stringify(o)}\n`);
  let lastSent = 0;
  const tempRejects =
    rejects?.to === 'database'
      ? join(tmpdir(), `comeback-rejects-${randomBytes(8).toString('hex')}.csv`)
      : null;
  try {
    const report = await runImport({
      input: req.body,
      kind: query.kind,
      format: query.format,
      parseOptions: parseOptionsFor(query.locale, query.currency ?? currency),
      sink: databaseSink(ctx, storeId),
      dryRun,
      rejectsPath: rejects?.to === 'file' ? rejects.path : tempRejects,
      totalBytes: Number(req.headers['content-length']) || null,
      onProgress: (p) => {
        const t = Date.now();
        if (t - lastSent > 200) {
          lastSent = t;
          send({ type: 'progress', ...p });
        }
      },
    });
    const stored = tempRejects ? await readStoredRejects(report.rejectsPath) : null;
    // A temporary rejects file is gone after this request: its path means nothing to the client.
    if (tempRejects) report.rejectsPath = null;
    await finishImportRun(
      ctx.db,
      storeId,
      runId,
      { ...report, rejections: report.rejections.slice(0, 20) },
      stored,
    );
    const body = { id: runId, ...report };
    if (stream) {
      send({ type: 'report', report: body });
      reply.raw.end();
      return;
    }
    return body;
  } catch (err) {
    await failImportRun(ctx.db, storeId, runId, (err as Error).message).catch(() => {});
    if (stream) {
      const code = err instanceof ComebackError ? err.code : 'IMPORT_FAILED';
      send({ type: 'error', error: { code, message: (err as Error).message, details: [] } });
      reply.raw.end();
      return;
    }
    throw err;
  } finally {
    if (tempRejects) await rm(tempRejects, { force: true });
  }
}

/**
 * `POST /v1/imports?kind=orders&format=shopify` with the CSV as the body: the same import as the CLI.
 * With `Accept: application/x-ndjson` progress lines stream while it runs, then the report.
 * The admin variant (local CLI) names the store by slug and may write the rejects file to a path.
 */
export function registerImportRoutes(app: FastifyInstance, ctx: AppContext): void {
  const admin = app.hasRoute({ method: 'GET', url: '/admin/v1/stores' });
  // The CSV parsers stay in the imports' own scope: the JSON routes beside them keep refusing other bodies (415).
  app.register(async (scope) => registerImportRoutesIn(scope, ctx, admin));
}

function registerImportRoutesIn(app: FastifyInstance, ctx: AppContext, admin: boolean): void {
  acceptCsvBodies(app);
  const r = app.withTypeProvider<ZodTypeProvider>();
  if (admin) {
    r.post(
      '/admin/v1/stores/:slug/imports',
      {
        schema: {
          hide: true,
          params: z.object({ slug: z.string() }),
          querystring: ImportQuery.extend({ rejects_path: z.string().optional() }),
        },
      },
      async (req, reply) => {
        const store = await getStoreBySlug(ctx.db, req.params.slug);
        return handleImport(
          ctx,
          store.id,
          store.currency,
          req.query,
          req.query.rejects_path ? { to: 'file', path: req.query.rejects_path } : null,
          req,
          reply,
        );
      },
    );
    return;
  }
  r.post(
    '/v1/imports',
    {
      schema: {
        tags: ['Imports'],
        summary: 'Import a CSV file (orders, customers or products) sent as the body',
        description:
          'Formats: generic, shopify, online-retail, cdnow (see docs/import.md). Returns the report: rows read, created, updated, unchanged, rejected with line, column and reason.',
        querystring: ImportQuery,
      },
    },
    async (req, reply) => {
      const storeId = req.storeId as string;
      return handleImport(ctx, storeId, await storeCurrency(ctx.db, storeId), req.query, null, req, reply);
    },
  );
  r.get(
    '/v1/imports',
    { schema: { tags: ['Imports'], summary: 'Recent imports and their reports' } },
    async (req) => {
      const runs = await recentImportRuns(ctx.db, req.storeId as string);
      return { data: runs.map(({ has_rejects: _, ...run }) => run) };
    },
  );
}
