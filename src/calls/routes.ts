import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getCustomer } from '../customers/repository.ts';
import { type AppContext, storeOf } from '../http/context.ts';
import { IdParams } from '../http/resource.ts';
import { isStorableInstant } from '../kernel/time.ts';
import { listCalls, logCall } from './repository.ts';
import { CALL_OUTCOMES, MAX_CALL_NOTE } from './rules.ts';

/** A call outcome as sent by the dashboard or a CRM. */
export const CallInput = z.object({
  outcome: z.enum(CALL_OUTCOMES).describe('reached, no_answer, problem_found or order_promised'),
  note: z.string().trim().max(MAX_CALL_NOTE).default(''),
});

const ApiCallInput = CallInput.extend({
  called_by: z.string().trim().max(320).optional().describe('who called, e.g. the CRM user’s email'),
  called_at: z.iso
    .datetime({ offset: true })
    .refine(isStorableInstant, 'must lie between the years 0001 and 9999')
    .optional()
    .describe('when the call happened; default now'),
});

/**
 * `/v1/customers/{id}/calls`: CRMs log call outcomes and read them back (append-only: a correction
 * is a new entry). The dashboard logs the same records through /app/api.
 */
export function registerCallRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/customers/:id/calls',
    {
      schema: {
        tags: ['Calls'],
        summary: "A customer's logged calls, newest first",
        params: IdParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      },
    },
    async (req) => {
      const s = storeOf(req);
      const c = await getCustomer(ctx.db, s, req.params.id);
      return { data: await listCalls(ctx.db, s, c.id, req.query.limit) };
    },
  );
  r.post(
    '/v1/customers/:id/calls',
    {
      schema: {
        tags: ['Calls'],
        summary: 'Log the outcome of a call to a customer (append-only)',
        description:
          'Outcomes: reached, no_answer, problem_found, order_promised. A customer reached (any outcome but no_answer) leaves the call list for 14 days.',
        params: IdParams,
        body: ApiCallInput,
      },
    },
    async (req, reply) => {
      const s = storeOf(req);
      const c = await getCustomer(ctx.db, s, req.params.id);
      const call = await logCall(ctx.db, ctx.ids, s, {
        customerId: c.id,
        outcome: req.body.outcome,
        note: req.body.note,
        calledBy: req.body.called_by?.toLowerCase() || null,
        source: 'api',
        calledAt: req.body.called_at ? new Date(req.body.called_at) : ctx.clock(),
      });
      reply.status(201);
      return call;
    },
  );
}
