import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CallInput, listCalls, logCall } from '../calls/index.ts';
import { getCustomer } from '../customers/repository.ts';
import type { AppContext } from '../http/context.ts';
import { IdParams } from '../http/resource.ts';
import type { StaffSession } from '../staff/repository.ts';
import { staffOf } from '../staff/routes.ts';
import { assertCanSeeCustomer } from '../staff/rules.ts';

const hidden = { hide: true } as const;

/** The customer, if this staff member may see (and so call) them; account managers only their own. */
async function reachableCustomer(ctx: AppContext, staff: StaffSession, id: string) {
  const c = await getCustomer(ctx.db, staff.storeId, id);
  assertCanSeeCustomer(staff, c.account_manager);
  return c;
}

/** Call outcomes in the dashboard: the 360 page's call history and the log form of the call list. */
export function registerCallsApi(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/app/api/customers/:id/calls', { schema: { ...hidden, params: IdParams } }, async (req) => {
    const staff = staffOf(req);
    const c = await reachableCustomer(ctx, staff, req.params.id);
    return { data: await listCalls(ctx.db, staff.storeId, c.id) };
  });
  r.post(
    '/app/api/customers/:id/calls',
    { schema: { ...hidden, params: IdParams, body: CallInput } },
    async (req, reply) => {
      const staff = staffOf(req);
      const c = await reachableCustomer(ctx, staff, req.params.id);
      const call = await logCall(ctx.db, ctx.ids, staff.storeId, {
        customerId: c.id,
        outcome: req.body.outcome,
        note: req.body.note,
        calledBy: staff.email,
        source: 'dashboard',
        calledAt: ctx.clock(),
      });
      reply.status(201);
      return call;
    },
  );
}
