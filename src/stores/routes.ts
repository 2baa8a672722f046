import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../http/context.ts';
import {
  createApiKey,
  createStore,
  getStoreBySlug,
  listApiKeys,
  listStores,
  revokeApiKey,
} from './repository.ts';

const SlugParams = z.object({ slug: z.string().min(1).max(63) });

/**
 * The local admin API the `comeback` CLI uses while `serve` holds the embedded database (it must
 * not open the directory twice). Authenticated by the per-run token in the data directory's lock file.
 */
export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const hidden = { hide: true } as const;
  r.get('/admin/v1/stores', { schema: hidden }, async () => ({ data: await listStores(ctx.db) }));
  r.post(
    '/admin/v1/stores',
    {
      schema: {
        ...hidden,
        body: z.object({
          slug: z.string(),
          name: z.string().optional(),
          currency: z.string().optional(),
          timezone: z.string().optional(),
        }),
      },
    },
    async (req, reply) => {
      reply.status(201);
      return createStore(ctx.db, ctx.ids, req.body);
    },
  );
  r.get('/admin/v1/stores/:slug/keys', { schema: { ...hidden, params: SlugParams } }, async (req) => {
    const store = await getStoreBySlug(ctx.db, req.params.slug);
    return { data: await listApiKeys(ctx.db, store.id) };
  });
  r.post(
    '/admin/v1/stores/:slug/keys',
    {
      schema: {
        ...hidden,
        params: SlugParams,
        body: z.object({ name: z.string().max(200).optional() }).optional(),
      },
    },
    async (req, reply) => {
      const store = await getStoreBySlug(ctx.db, req.params.slug);
      reply.status(201);
      return createApiKey(ctx.db, ctx.ids, store.id, req.body?.name ?? '');
    },
  );
  r.delete(
    '/admin/v1/stores/:slug/keys/:key',
    { schema: { ...hidden, params: SlugParams.extend({ key: z.string().min(1) }) } },
    async (req) => {
      const store = await getStoreBySlug(ctx.db, req.params.slug);
      return revokeApiKey(ctx.db, store.id, req.params.key);
    },
  );
}
