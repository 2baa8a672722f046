import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ulid } from 'ulid';
import { z } from 'zod';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../db/client.ts';
import { type AppContext, storeOf } from '../http/context.ts';
import { ComebackError, notFound, validationFailed } from '../kernel/errors.ts';
import { Promotion } from './promotion.ts';
import {
  createCodes,
  findPromotion,
  insertPromotion,
  listCodes,
  listPromotions,
  type PromotionRow,
  setPromotionStatus,
} from './repository.ts';

const PromotionBody = z
  .object({
    id: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe('your id for it; generated (prm_…) when left out'),
    status: z.enum(['active', 'archived']).default('active'),
  })
  .loose()
  .describe('The promotion as in docs/promotions.md (name, trigger, limits, conditions, actions …)');

const Params = z.object({ id: z.string().min(1).max(255) });

const CodesBody = z.object({
  count: z.number().int().min(1).max(100_000),
  length: z.number().int().min(4).max(32).optional(),
  prefix: z.string().trim().max(20).optional(),
  customer_id: z.string().min(1).max(255).nullable().default(null).describe('personal codes'),
  balance_minor: z.number().int().min(0).nullable().default(null).describe('gift cards'),
  expires_at: z.iso.datetime({ offset: true }).nullable().default(null),
});

function shape(row: PromotionRow): Record<string, unknown> {
  const limits = row.config.limits;
  return {
    id: row.id,
    status: row.status,
    config: row.config,
    usage: {
      uses: row.uses,
      max_uses: limits.totalUses,
      uses_left: limits.totalUses === null ? null : Math.max(0, limits.totalUses - row.uses),
      budget_minor: limits.budgetMinor,
      budget_spent_minor: row.budget_spent_minor,
      budget_left_minor:
        limits.budgetMinor === null ? null : Math.max(0, limits.budgetMinor - row.budget_spent_minor),
    },
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Promotions management: create, list, read with usage and budget, generate and export codes. */
export function registerPromotionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/promotions',
    { schema: { tags: ['Promotions'], summary: 'Create a promotion', body: PromotionBody } },
    async (req, reply) => {
      const { status, ...config } = req.body;
      const parsed = Promotion.safeParse({ ...config, id: config.id ?? `prm_${ulid()}` });
      if (!parsed.success)
        throw validationFailed(
          'The promotion is invalid',
          parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
        );
      try {
        const row = await insertPromotion(ctx.db, storeOf(req), parsed.data, status);
        reply.status(201);
        return shape(row);
      } catch (err) {
        if (pgErrorCode(err) === PG_UNIQUE_VIOLATION)
          throw new ComebackError('CONFLICT', `A promotion with id ${parsed.data.id} exists already`);
        throw err;
      }
    },
  );
  r.get(
    '/v1/promotions',
    {
      schema: {
        tags: ['Promotions'],
        summary: 'List promotions with their usage',
        querystring: z.object({
          status: z.enum(['active', 'archived']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(255).optional(),
        }),
      },
    },
    async (req) => {
      const rows = await listPromotions(ctx.db, storeOf(req), {
        status: req.query.status,
        limit: req.query.limit,
        after: req.query.cursor,
      });
      return {
        data: rows.map(shape),
        next_cursor: rows.length === req.query.limit ? rows[rows.length - 1].id : null,
      };
    },
  );
  r.get(
    '/v1/promotions/:id',
    { schema: { tags: ['Promotions'], summary: 'A promotion with its usage and budget', params: Params } },
    async (req) => {
      const row = await findPromotion(ctx.db, storeOf(req), req.params.id);
      if (!row) throw notFound('Promotion', req.params.id);
      return shape(row);
    },
  );
  r.patch(
    '/v1/promotions/:id',
    {
      schema: {
        tags: ['Promotions'],
        summary: 'Archive or reactivate a promotion',
        params: Params,
        body: z.object({ status: z.enum(['active', 'archived']) }),
      },
    },
    async (req) => {
      const row = await setPromotionStatus(ctx.db, storeOf(req), req.params.id, req.body.status);
      if (!row) throw notFound('Promotion', req.params.id);
      return shape(row);
    },
  );
  r.post(
    '/v1/promotions/:id/codes',
    {
      schema: {
        tags: ['Promotions'],
        summary: 'Generate unique codes for a promotion triggered by unique codes',
        params: Params,
        body: CodesBody,
      },
    },
    async (req, reply) => {
      const storeId = storeOf(req);
      const row = await findPromotion(ctx.db, storeId, req.params.id);
      if (!row) throw notFound('Promotion', req.params.id);
      if (row.config.trigger.type !== 'unique_codes')
        throw validationFailed('Codes can be generated only for a promotion with trigger unique_codes', [
          { path: 'params.id', message: 'trigger is not unique_codes' },
        ]);
      const b = req.body;
      const codes = await ctx.db.tx((q) =>
        createCodes(
          q,
          storeId,
          row.id,
          {
            count: b.count,
            length: b.length,
            prefix: b.prefix,
            customerId: b.customer_id,
            balanceMinor: b.balance_minor,
            expiresAt: b.expires_at,
          },
          (n) => new Uint8Array(randomBytes(n)),
        ),
      );
      reply.status(201);
      return { promotion_id: row.id, count: codes.length, codes };
    },
  );
  r.get(
    '/v1/promotions/:id/codes',
    {
      schema: {
        tags: ['Promotions'],
        summary: "A promotion's codes (CSV with Accept: text/csv)",
        params: Params,
      },
    },
    async (req, reply) => {
      const storeId = storeOf(req);
      const row = await findPromotion(ctx.db, storeId, req.params.id);
      if (!row) throw notFound('Promotion', req.params.id);
      const codes = await listCodes(ctx.db, storeId, row.id);
      if ((req.headers.accept ?? '').includes('text/csv')) {
        const cols = [
          'code',
          'customer_id',
          'redeemed_at',
          'balance_minor',
          'expires_at',
          'created_at',
        ] as const;
        const lines = [cols.join(',')];
        for (const c of codes) lines.push(cols.map((k) => csvField(c[k])).join(','));
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${row.id}-codes.csv"`);
        return `${lines.join('\n')}\n`;
      }
      return { promotion_id: row.id, data: codes };
    },
  );
}
