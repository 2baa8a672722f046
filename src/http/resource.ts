import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
import { notFound, RecordError } from '../kernel/errors.ts';
import { isStorableInstant } from '../kernel/time.ts';
import { type IngestInputs, type IngestKind, ingest } from '../orders/ingest.ts';
import { type AppContext, storeOf } from './context.ts';

export const MAX_BATCH = 1000;

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  updated_since: z.iso
    .datetime({ offset: true })
    .refine(isStorableInstant, 'must lie between the years 0001 and 9999')
    .optional(),
  external_id: z.string().max(255).optional(),
});

export const IdParams = z.object({
  id: z.string().min(1).max(255).describe('our id (prefix_…) or the external id'),
});

export const BatchResult = z.object({
  results: z.array(
    z.object({
      id: z.string().nullable(),
      external_id: z.string().nullable(),
      status: z.enum(['created', 'updated', 'unchanged']),
    }),
  ),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
});

interface ResourceSpec<K extends IngestKind, Q extends z.ZodObject> {
  kind: K;
  tag: string;
  path: string;
  singular: string;
  input: z.ZodType<IngestInputs[K]>;
  find(q: Queryable, storeId: string, id: string): Promise<unknown | null>;
  list?: { query: Q; run(q: Queryable, storeId: string, query: z.infer<Q>): Promise<unknown> };
}

/**
 * The four routes every store resource has: upsert one (201 created / 200 otherwise, the stored
 * resource back), upsert a batch of up to 1,000 atomically, get by id or external id, list.
 */
export function registerResource<K extends IngestKind, Q extends z.ZodObject>(
  app: FastifyInstance,
  ctx: AppContext,
  spec: ResourceSpec<K, Q>,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    spec.path,
    {
      schema: {
        tags: [spec.tag],
        summary: `Create or update a ${spec.singular} by external_id`,
        body: spec.input,
        headers: z.object({ 'idempotency-key': z.string().max(255).optional() }).loose(),
      },
    },
    async (req, reply) => {
      const storeId = storeOf(req);
      const out = await ingest(ctx, storeId, spec.kind, [req.body as IngestInputs[K]]);
      const first = out.results[0];
      const stored = first.id ? await spec.find(ctx.db, storeId, first.id) : null;
      reply.status(first.status === 'created' ? 201 : 200);
      return stored ?? first;
    },
  );
  r.post(
    `${spec.path}/batch`,
    {
      schema: {
        tags: [spec.tag],
        summary: `Create or update up to ${MAX_BATCH} ${spec.tag.toLowerCase()} at once (all or nothing)`,
        body: z.object({ data: z.array(spec.input).min(1).max(MAX_BATCH) }),
        response: { 200: BatchResult },
      },
    },
    async (req) => {
      try {
        return await ingest(ctx, storeOf(req), spec.kind, req.body.data as IngestInputs[K][]);
      } catch (err) {
        throw err instanceof RecordError ? err.inBatch() : err;
      }
    },
  );
  r.get(
    `${spec.path}/:id`,
    {
      schema: {
        tags: [spec.tag],
        summary: `Get a ${spec.singular} by our id or its external_id`,
        params: IdParams,
      },
    },
    async (req) => {
      const found = await spec.find(ctx.db, storeOf(req), req.params.id);
      if (!found) throw notFound(spec.singular[0].toUpperCase() + spec.singular.slice(1), req.params.id);
      return found;
    },
  );
  const list = spec.list;
  if (list) {
    r.get(
      spec.path,
      {
        schema: {
          tags: [spec.tag],
          summary: `List ${spec.tag.toLowerCase()} (cursor pagination, oldest change first)`,
          querystring: list.query,
        },
      },
      async (req) => list.run(ctx.db, storeOf(req), req.query as z.infer<Q>),
    );
  }
}
