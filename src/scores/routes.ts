import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, storeOf } from '../http/context.ts';
import { activeScoreRun, latestScoreRun, recomputeStoreScores } from './jobs.ts';

/**
 * Store analytics over HTTP: the latest report (metrics, retention and cohorts, segments, model
 * fits, holdout check) and on-demand recompute. Per-customer scores appear on the customer routes.
 */
export function registerScoreRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/analytics',
    {
      schema: {
        tags: ['Analytics'],
        summary: "The store's latest analytics report",
        description:
          'Metrics (AOV, frequency, CLV, retention, repeat rate, returning revenue share), the repeat-business verdict, monthly retention and cohorts, RFM and lifecycle counts, BG/NBD, Pareto/NBD and Gamma-Gamma fits. 404 before the first run.',
      },
    },
    async (req, reply) => {
      const s = storeOf(req);
      const latest = await latestScoreRun(ctx.db, s);
      const running = await activeScoreRun(ctx.db, s);
      if (!latest) {
        reply.status(404);
        return {
          error: {
            code: 'NOT_FOUND',
            message: 'No analytics yet: POST /v1/analytics/recompute (or wait for the nightly run)',
            details: [],
          },
          running,
        };
      }
      return { ...latest, running };
    },
  );
  r.post(
    '/v1/analytics/recompute',
    {
      schema: {
        tags: ['Analytics'],
        summary: 'Recompute the store scores now',
        description: 'Queued on the worker (202) unless `wait=true`, which computes before answering (200).',
        querystring: z.object({ wait: z.enum(['true', 'false']).default('false') }),
      },
    },
    async (req, reply) => {
      const s = storeOf(req);
      if (req.query.wait === 'true' || !ctx.jobs) {
        const runId = await recomputeStoreScores(ctx, s, 'api');
        return { run_id: runId, status: 'done' };
      }
      const jobId = await ctx.jobs.recomputeScores(s, 'api');
      reply.status(202);
      return { job_id: jobId, status: jobId ? 'queued' : 'already queued' };
    },
  );
}
