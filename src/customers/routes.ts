import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LIFECYCLE_STAGES } from '../analytics/lifecycle.ts';
import { RFM_SEGMENTS } from '../analytics/rfm-scores.ts';
import type { Queryable } from '../db/client.ts';
import { type AppContext, storeOf } from '../http/context.ts';
import { IdParams, ListQuery, registerResource } from '../http/resource.ts';
import { notFound } from '../kernel/errors.ts';
import { ingest } from '../orders/ingest.ts';
import { customerOrderMetrics, recentOrders } from '../orders/repository.ts';
import { latestCustomerScores } from '../scores/repository.ts';
import { consentHistory, currentConsents, findCustomer, listCustomers } from './repository.ts';
import { ConsentInput, CustomerInput } from './schemas.ts';

/**
 * The customer 360° view: profile, current consents per channel, recent orders and the order
 * metrics; the analytics scores join it once computed.
 */
export async function customer360(q: Queryable, storeId: string, idOrExternal: string) {
  const customer = await findCustomer(q, storeId, idOrExternal);
  if (!customer) return null;
  const [consents, orders, metrics, scores] = await Promise.all([
    currentConsents(q, storeId, customer.id),
    recentOrders(q, storeId, customer.id, 50),
    customerOrderMetrics(q, storeId, customer.id),
    latestCustomerScores(q, storeId, customer.id),
  ]);
  return { ...customer, consents, metrics, scores, orders };
}

export const CustomerListQuery = ListQuery.extend({
  email: z.string().max(320).optional(),
  tag: z.string().max(100).optional(),
  account_manager: z.string().max(320).optional(),
  segment: z.enum(RFM_SEGMENTS).optional().describe('RFM segment of the latest scores'),
  stage: z.enum(LIFECYCLE_STAGES).optional().describe('lifecycle stage of the latest scores'),
  sleeping: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  p_alive_min: z.coerce.number().min(0).max(1).optional(),
  p_alive_max: z.coerce.number().min(0).max(1).optional(),
  clv_min_minor: z.coerce.number().int().min(0).optional(),
  consent: z
    .enum(['email', 'sms', 'phone'])
    .optional()
    .describe('only customers with this consent granted now'),
});

const ConsentRecord = ConsentInput.extend({
  customer_id: z.string().max(255).nullish().describe('our id (cus_…) or the external id'),
  customer_external_id: z.string().max(255).nullish(),
}).refine((c) => c.customer_id || c.customer_external_id, {
  message: 'customer_id or customer_external_id is required',
  path: ['customer_id'],
});

export function registerCustomerRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerResource(app, ctx, {
    kind: 'customers',
    tag: 'Customers',
    path: '/v1/customers',
    singular: 'customer',
    input: CustomerInput,
    find: customer360,
    list: { query: CustomerListQuery, run: (q, s, query) => listCustomers(q, s, query) },
  });
  registerResource(app, ctx, {
    kind: 'consents',
    tag: 'Consents',
    path: '/v1/consents',
    singular: 'consent',
    input: ConsentRecord,
    find: async (q, s, id) => {
      const c = await findCustomer(q, s, id);
      return c
        ? { customer_id: c.id, external_id: c.external_id, consents: await currentConsents(q, s, c.id) }
        : null;
    },
  });
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/customers/:id/consents',
    {
      schema: {
        tags: ['Consents'],
        summary: "A customer's consent history (append-only) and current state",
        params: IdParams,
      },
    },
    async (req) => {
      const s = storeOf(req);
      const c = await findCustomer(ctx.db, s, req.params.id);
      if (!c) throw notFound('Customer', req.params.id);
      return {
        current: await currentConsents(ctx.db, s, c.id),
        history: await consentHistory(ctx.db, s, c.id),
      };
    },
  );
  r.post(
    '/v1/customers/:id/consents',
    {
      schema: {
        tags: ['Consents'],
        summary: 'Record a consent change for a customer',
        params: IdParams,
        body: ConsentInput,
      },
    },
    async (req, reply) => {
      const s = storeOf(req);
      // The customer is the addressed resource here: unknown is a 404, not an invalid field.
      const c = await findCustomer(ctx.db, s, req.params.id);
      if (!c) throw notFound('Customer', req.params.id);
      const out = await ingest(ctx, s, 'consents', [{ ...req.body, customer_id: c.id }]);
      reply.status(out.created ? 201 : 200);
      return { current: await currentConsents(ctx.db, s, out.results[0].id!), status: out.results[0].status };
    },
  );
}
