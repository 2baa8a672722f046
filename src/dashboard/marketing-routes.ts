import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { getCustomer } from '../customers/repository.ts';
import { toApiShape } from '../http/api-shape.ts';
import type { AppContext } from '../http/context.ts';
import { IdParams } from '../http/resource.ts';
import { findProgram } from '../loyalty/repository.ts';
import { registerLoyaltyRoutes } from '../loyalty/routes.ts';
import { customerTier } from '../loyalty/tier-repository.ts';
import { registerPromotionRoutes } from '../promotions/routes.ts';
import { staffOf } from '../staff/routes.ts';
import { mountV1Routes } from './mount-v1.ts';

/** The ledger records who adjusted points: the signed-in user, whatever the form sent. */
function signAdjustments(route: RouteOptions): void {
  if (route.method !== 'POST' || !route.url.endsWith('/loyalty/adjustments')) return;
  const sign = async (req: FastifyRequest) => {
    if (req.body && typeof req.body === 'object')
      (req.body as Record<string, unknown>).staff_user_id = staffOf(req).email;
  };
  const before = route.preValidation;
  route.preValidation =
    before === undefined ? [sign] : [...(Array.isArray(before) ? before : [before]), sign];
}

/**
 * The Promotions and Loyalty pages' API: the /v1 promotions and loyalty routes mounted under
 * /app/api (e.g. GET /app/api/promotions, PUT /app/api/loyalty/program), for owners and marketers.
 */
export async function registerMarketingApi(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await mountV1Routes(app, 'promotions', (scope) => registerPromotionRoutes(scope, ctx));
  await mountV1Routes(app, 'loyalty', (scope) => registerLoyaltyRoutes(scope, ctx), signAdjustments);
  // The page asks whether a program exists without a 404 (the browser logs every 404 as an error).
  app.get(
    '/app/api/loyalty/setup',
    { config: { permission: 'loyalty' }, schema: { hide: true } },
    async (req) => {
      const program = await findProgram(ctx.db, staffOf(req).storeId);
      return { program: program && toApiShape(program) };
    },
  );
  // A customer's stored tier for the ledger and the 360 page (the job routes are not mounted whole:
  // running jobs and recording memberships stay API work).
  app.get(
    '/app/api/customers/:id/tier',
    { config: { permission: 'loyalty' }, schema: { hide: true, params: IdParams } },
    async (req) => {
      const { storeId } = staffOf(req);
      const { id } = req.params as { id: string };
      const customerId = (await getCustomer(ctx.db, storeId, id)).id;
      const t = await customerTier(ctx.db, storeId, customerId);
      return {
        tier: t.tier,
        grace_until: t.grace_until && new Date(t.grace_until).toISOString(),
        rolling_spend_minor: t.rolling_spend_minor,
        rolling_orders: t.rolling_orders,
      };
    },
  );
}
