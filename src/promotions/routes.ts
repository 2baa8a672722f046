import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ulid } from 'ulid';
import { z } from 'zod';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../db/client.ts';
import { apiSchema, mergePatch, parseFromApi, toApiShape } from '../http/api-shape.ts';
import { type AppContext, storeOf } from '../http/context.ts';
import { ComebackError, type ErrorDetail, notFound, validationFailed } from '../kernel/errors.ts';
import { Promotion } from './promotion.ts';
import {
  createCodes,
  findPromotion,
  insertPromotion,
  listCodes,
  listPromotions,
  type PromotionRow,
  setPromotionStatus,
  updatePromotion,
} from './repository.ts';

/** The promotion as the API takes it: the core's `Promotion`, snake_case, times in ISO-8601. */
const PromotionFields = apiSchema(Promotion) as z.ZodObject;

const status = z
  .enum(['active', 'archived'])
  .describe('archived: no longer offered, and commits that use it are refused');

const PromotionBody = PromotionFields.extend({
  id: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .optional()
    .describe('your id for it; generated (prm_…) when left out'),
  status: status.default('active'),
}).describe('A promotion, as in docs/promotions.md');

/** What a patch may change; `id` and `trigger` are fixed (codes customers hold refer to them). */
const PromotionPatch = (apiSchema(Promotion, { defaults: false }) as z.ZodObject)
  .omit({ id: true, trigger: true })
  .extend({ status: status.optional() })
  .partial()
  .describe(
    'Fields to change; objects merge, arrays replace. Limits cannot go below the uses and budget taken; the currency is fixed once used.',
  );

const Params = z.object({ id: z.string().min(1).max(255) });

const CodesBody = z.object({
  count: z.number().int().min(1).max(100_000),
  length: z.number().int().min(4).max(32).optional(),
  prefix: z.string().trim().max(20).optional(),
  customer_id: z.string().min(1).max(255).nullable().default(null).describe('personal codes'),
  balance_minor: z.number().int().min(0).nullable().default(null).describe('gift cards'),
  expires_at: z.iso.datetime({ offset: true }).nullable().default(null),
});

/** A promotion as the API shows it: its fields in snake_case, status, usage, timestamps. */
function shape(row: PromotionRow): Record<string, unknown> {
  const limits = row.config.limits;
  return {
    ...(toApiShape(row.config) as Record<string, unknown>),
    id: row.id,
    status: row.status,
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

/** Edits that would contradict usage already consumed: limits below what is taken, another currency once used. */
function editRefusals(cur: PromotionRow, next: Promotion): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const { totalUses, budgetMinor } = next.limits;
  if (totalUses !== null && totalUses < cur.uses)
    out.push({ path: 'limits.total_uses', message: `${cur.uses} uses are taken already` });
  if (budgetMinor !== null && budgetMinor < cur.budget_spent_minor)
    out.push({
      path: 'limits.budget_minor',
      message: `${cur.budget_spent_minor} of the budget is spent already`,
    });
  if (next.currency !== cur.config.currency && (cur.uses > 0 || cur.budget_spent_minor > 0))
    out.push({ path: 'currency', message: 'the promotion has been used in its currency' });
  return out;
}

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Promotions management in snake_case: create, edit, archive, list, read with usage and budget, generate and export codes. */
export function registerPromotionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/promotions',
    { schema: { tags: ['Promotions'], summary: 'Create a promotion', body: PromotionBody } },
    async (req, reply) => {
      const { status, ...fields } = req.body as { status: 'active' | 'archived'; id?: string };
      const promotion = parseFromApi(Promotion, { ...fields, id: fields.id ?? `prm_${ulid()}` }, 'promotion');
      try {
        const row = await insertPromotion(ctx.db, storeOf(req), promotion, status);
        reply.status(201);
        return shape(row);
      } catch (err) {
        if (pgErrorCode(err) === PG_UNIQUE_VIOLATION)
          throw new ComebackError('CONFLICT', `A promotion with id ${promotion.id} exists already`);
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
        summary: 'Edit a promotion (name, limits, validity, conditions, actions …), archive or reactivate it',
        params: Params,
        body: PromotionPatch,
      },
    },
    async (req) => {
      const storeId = storeOf(req);
      const { status, ...changes } = req.body as { status?: 'active' | 'archived' };
      const row = await ctx.db.tx(async (q) => {
        const cur = await findPromotion(q, storeId, req.params.id, true);
        if (!cur) throw notFound('Promotion', req.params.id);
        if (Object.keys(changes).length === 0)
          return status === undefined ? cur : await setPromotionStatus(q, storeId, cur.id, status);
        const next = parseFromApi(Promotion, mergePatch(toApiShape(cur.config), changes), 'promotion');
        const refused = editRefusals(cur, next);
        if (refused.length > 0) throw validationFailed('The change would undo what is used already', refused);
        return await updatePromotion(q, storeId, next, status ?? cur.status);
      });
      if (!row) throw notFound('Promotion', req.params.id);
      return shape(row);
    },
  );
  r.post(
    '/v1/promotions/:id/archive',
    {
      schema: {
        tags: ['Promotions'],
        summary: 'Archive a promotion: no longer offered; its usage and codes are kept',
        params: Params,
      },
    },
    async (req) => {
      const row = await setPromotionStatus(ctx.db, storeOf(req), req.params.id, 'archived');
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
