import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../http/context.ts';
import { loadDemoStore } from './load.ts';

/** `comeback demo` while the server holds the embedded database: the server loads it. */
export function registerDemoAdminRoute(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/admin/v1/demo',
    {
      schema: {
        hide: true,
        body: z.object({ customers: z.number().int().min(10).max(1_000_000), seed: z.number().int().min(1) }),
      },
    },
    async (req) => loadDemoStore(ctx, { ...req.body, now: ctx.clock() }),
  );
}
