import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getCustomer } from '../customers/repository.ts';
import { noteRowsWritten } from '../db/bulk.ts';
import type { Db, Queryable } from '../db/client.ts';
import { apiSchema, parseFromApi, toApiShape } from '../http/api-shape.ts';
import { type AppContext, storeOf } from '../http/context.ts';
import { notFound } from '../kernel/errors.ts';
import type { IdGenerator } from '../kernel/ids.ts';
import { ledgerBalance, planLedgerOperation } from './ledger.ts';
import { LoyaltyProgram } from './program.ts';
import {
  applyLedgerDecision,
  findProgram,
  ledgerRefusal,
  ledgerRowsWritten,
  ledgerView,
  loadLedger,
  saveProgram,
} from './repository.ts';

/** The program as the API takes it: the core's `LoyaltyProgram` in snake_case, times in ISO-8601. */
const ProgramBody = apiSchema(LoyaltyProgram).describe('The loyalty program, as in docs/loyalty.md');

const Params = z.object({ id: z.string().min(1).max(255).describe('our id or the external id') });

/** A staff adjustment; the dashboard mounts this route and sets `staff_user_id` from the session. */
const AdjustmentBody = z.object({
  points: z
    .number()
    .int()
    .min(-1_000_000_000)
    .max(1_000_000_000)
    .refine((p) => p !== 0, 'must not be 0'),
  reason: z.string().trim().min(1).max(500),
  staff_user_id: z.string().trim().min(1).max(255).default('api'),
  expires_at: z.iso.datetime({ offset: true }).nullable().default(null),
  key: z.string().trim().min(1).max(200).optional().describe('makes the adjustment idempotent'),
});

/** A customer's points as the API shows them: balance, available, pending, next expiry, lots, latest entries. */
async function customerLoyalty(db: Queryable, storeId: string, customerId: string, now: number) {
  const state = await loadLedger(db, storeId, customerId);
  const b = ledgerBalance(state, now);
  const view = await ledgerView(db, storeId, customerId);
  return {
    customer_id: customerId,
    balance: b.balance,
    available: b.available,
    pending: b.pending,
    expired_unprocessed: b.expiredUnprocessed,
    next_expiry: b.nextExpiry && {
      points: b.nextExpiry.points,
      expires_at: new Date(b.nextExpiry.expiresAt).toISOString(),
    },
    lots: view.lots,
    entries: view.entries,
  };
}

/** Adds or removes points by hand in one transaction under the customer's ledger lock; a refusal is thrown as an API error. */
async function adjustPoints(
  db: Db,
  ids: IdGenerator,
  storeId: string,
  customerId: string,
  b: z.output<typeof AdjustmentBody>,
  now: number,
): Promise<{ customer_id: string; key: string; duplicate: boolean; points: number }> {
  const key = `adjust:${b.key ?? ids('loyaltyAdjustment')}`;
  const decision = await db.tx(async (q) => {
    const state = await loadLedger(q, storeId, customerId, true);
    const d = planLedgerOperation(state, {
      type: 'adjust',
      key,
      points: b.points,
      reason: b.reason,
      staffUserId: b.staff_user_id,
      at: now,
      expiresAt: b.expires_at === null ? null : Date.parse(b.expires_at),
    });
    if (d.type === 'rejected') throw ledgerRefusal(d);
    await applyLedgerDecision(q, storeId, d);
    return d;
  });
  await noteRowsWritten(db, ledgerRowsWritten(decision));
  return { customer_id: customerId, key, duplicate: decision.type === 'duplicate', points: b.points };
}

/** Loyalty over HTTP: the store's program, a customer's balance and ledger, staff adjustments. */
export function registerLoyaltyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.put(
    '/v1/loyalty/program',
    {
      schema: {
        tags: ['Loyalty'],
        summary: "Set the store's loyalty program (see docs/loyalty.md)",
        body: ProgramBody,
      },
    },
    async (req) => {
      const program = parseFromApi(LoyaltyProgram, req.body, 'loyalty program');
      await saveProgram(ctx.db, storeOf(req), program);
      return toApiShape(program);
    },
  );
  r.get(
    '/v1/loyalty/program',
    { schema: { tags: ['Loyalty'], summary: "The store's loyalty program" } },
    async (req) => {
      const program = await findProgram(ctx.db, storeOf(req));
      if (!program) throw notFound('Loyalty program', 'of this store');
      return toApiShape(program);
    },
  );
  r.get(
    '/v1/customers/:id/loyalty',
    {
      schema: {
        tags: ['Loyalty'],
        summary: "A customer's points: balance, lots, latest entries",
        params: Params,
      },
    },
    async (req) => {
      const storeId = storeOf(req);
      const customerId = (await getCustomer(ctx.db, storeId, req.params.id)).id;
      return customerLoyalty(ctx.db, storeId, customerId, ctx.clock().getTime());
    },
  );
  r.post(
    '/v1/customers/:id/loyalty/adjustments',
    {
      schema: {
        tags: ['Loyalty'],
        summary: 'Add or remove points by hand (a reason is required; never below zero)',
        params: Params,
        body: AdjustmentBody,
      },
    },
    async (req, reply) => {
      const storeId = storeOf(req);
      const customerId = (await getCustomer(ctx.db, storeId, req.params.id)).id;
      const result = await adjustPoints(
        ctx.db,
        ctx.ids,
        storeId,
        customerId,
        req.body,
        ctx.clock().getTime(),
      );
      reply.status(result.duplicate ? 200 : 201);
      return result;
    },
  );
}
