import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, storeOf } from '../http/context.ts';
import { IdParams, ListQuery, registerResource } from '../http/resource.ts';
import { notFound } from '../kernel/errors.ts';
import {
  findCart,
  findEvent,
  findOrder,
  findProduct,
  findRefund,
  listCarts,
  listEvents,
  listOrders,
  listProducts,
  listRefunds,
} from './repository.ts';
import { CartInput, EVENT_TYPES, EventInput, OrderInput, ProductInput, RefundInput } from './schemas.ts';

const OrderListQuery = ListQuery.extend({
  customer_id: z.string().max(255).optional().describe('our id or the external id'),
  placed_from: z.iso.datetime({ offset: true }).optional(),
  placed_to: z.iso.datetime({ offset: true }).optional(),
});

export function registerOrderRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerResource(app, ctx, {
    kind: 'orders',
    tag: 'Orders',
    path: '/v1/orders',
    singular: 'order',
    input: OrderInput,
    find: findOrder,
    list: { query: OrderListQuery, run: (q, s, query) => listOrders(q, s, query) },
  });
  registerResource(app, ctx, {
    kind: 'products',
    tag: 'Products',
    path: '/v1/products',
    singular: 'product',
    input: ProductInput,
    find: findProduct,
    list: {
      query: ListQuery.extend({
        sku: z.string().max(255).optional(),
        category: z.string().max(500).optional(),
      }),
      run: (q, s, query) => listProducts(q, s, query),
    },
  });
  registerResource(app, ctx, {
    kind: 'carts',
    tag: 'Carts',
    path: '/v1/carts',
    singular: 'cart',
    input: CartInput,
    find: findCart,
    list: {
      query: ListQuery.extend({ status: z.enum(['open', 'abandoned', 'converted']).optional() }),
      run: (q, s, query) => listCarts(q, s, query),
    },
  });
  registerResource(app, ctx, {
    kind: 'refunds',
    tag: 'Refunds',
    path: '/v1/refunds',
    singular: 'refund',
    input: RefundInput,
    find: findRefund,
  });
  registerResource(app, ctx, {
    kind: 'events',
    tag: 'Events',
    path: '/v1/events',
    singular: 'event',
    input: EventInput,
    find: findEvent,
    list: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        cursor: z.string().max(100).optional(),
        type: z.enum(EVENT_TYPES).optional(),
        customer_id: z.string().max(255).optional(),
        since: z.iso.datetime({ offset: true }).optional(),
      }),
      run: (q, s, query) => listEvents(q, s, query),
    },
  });
  app
    .withTypeProvider<ZodTypeProvider>()
    .get(
      '/v1/orders/:id/refunds',
      { schema: { tags: ['Refunds'], summary: "An order's refunds", params: IdParams } },
      async (req) => {
        const s = storeOf(req);
        const order = await findOrder(ctx.db, s, req.params.id);
        if (!order) throw notFound('Order', req.params.id);
        return { data: await listRefunds(ctx.db, s, order.id) };
      },
    );
}
