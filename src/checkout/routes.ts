import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type AppContext, storeOf } from '../http/context.ts';
import { registerLoyaltyRoutes } from '../loyalty/routes.ts';
import { registerPromotionRoutes } from '../promotions/routes.ts';
import { cancelCheckout, commitCheckout, evaluateForStore, evaluationBody } from './repository.ts';
import { CheckoutCancelInput, CheckoutCommitInput, CheckoutEvaluateInput } from './schemas.ts';

/**
 * Checkout over HTTP: evaluate a cart (read-only), commit an order's effects once, cancel them;
 * with the loyalty and promotions management routes it depends on.
 */
export function registerCheckoutRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerLoyaltyRoutes(app, ctx);
  registerPromotionRoutes(app, ctx);
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/checkout/evaluate',
    {
      schema: {
        tags: ['Checkout'],
        summary: 'Price a cart: promotions, codes, points to redeem and to earn (writes nothing)',
        body: CheckoutEvaluateInput,
      },
    },
    async (req) =>
      evaluationBody(await evaluateForStore(ctx.db, storeOf(req), req.body, ctx.clock().getTime())),
  );
  r.post(
    '/v1/checkout/commit',
    {
      schema: {
        tags: ['Checkout'],
        summary: "Commit an order's uses, codes and points atomically (once per order_external_id)",
        description:
          'A code or points the evaluation refuses, or a limit reached meanwhile, answer 409 CHECKOUT_CONFLICT with the reason in details[0].message; nothing is written. The same order again answers 200 with duplicate: true and the first commit; a cancelled order sent again answers 409 with the reason order_cancelled.',
        body: CheckoutCommitInput,
      },
    },
    async (req, reply) => {
      const out = await commitCheckout(ctx.db, storeOf(req), req.body, ctx.clock().getTime());
      reply.status(out.duplicate ? 200 : 201);
      return {
        order_external_id: out.orderExternalId,
        state: out.state,
        duplicate: out.duplicate,
        evaluation: out.evaluation,
      };
    },
  );
  r.post(
    '/v1/checkout/cancel',
    {
      schema: {
        tags: ['Checkout'],
        summary: "Release a committed order's uses, budget, codes and points",
        body: CheckoutCancelInput,
      },
    },
    async (req) => {
      const out = await cancelCheckout(
        ctx.db,
        storeOf(req),
        req.body.order_external_id,
        ctx.clock().getTime(),
      );
      return { order_external_id: out.orderExternalId, state: out.state, duplicate: out.duplicate };
    },
  );
}
