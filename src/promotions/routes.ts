import { randomBytes } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ulid } from 'ulid';
import { z } from 'zod';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../db/client.ts';
import { decodeOpaqueCursor, encodeOpaqueCursor } from '../db/pagination.ts';
import { apiSchema, mergePatch, parseFromApi, toApiShape } from '../http/api-shape.ts';
import { type AppContext, storeOf } from '../http/context.ts';
import { ComebackError, type ErrorDetail, notFound, validationFailed } from '../kernel/errors.ts';
import { checkImportedCodes, type ImportedCodeLine } from './code-import.ts';
import { Promotion, paysFromBalance } from './promotion.ts';
import {
  allCodes,
  createCodes,
  findPromotion,
  importCodes,
  insertPromotion,
  listCodes,
  listPromotions,
  lockForEdit,
  type PromotionRow,
  reopenIfUnlimited,
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
/**
 * A gift card is money, not an offer: its promotion pays from the code's balance and does nothing
 * else (a discount beside it would be debited from the balance and earn points as money).
 */
function requireGiftCardAlone(p: Promotion): Promotion {
  if (paysFromBalance(p) && p.actions.length > 1)
    throw validationFailed('A gift card promotion has the gift_card action alone', [
      { path: 'actions', message: 'gift_card cannot be combined with other actions' },
    ]);
  return p;
}

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

const CODE_COLUMNS = [
  'code',
  'customer_id',
  'redeemed_at',
  'balance_minor',
  'expires_at',
  'created_at',
] as const;

const CodesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional().describe('next_cursor of the page before'),
  redeemed: z
    .enum(['true', 'false'])
    .optional()
    .describe('only redeemed single-use codes, or only unredeemed'),
  customer_id: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('personal codes of this customer (our id or yours)'),
});

/** Keyset cursor over codes (the primary key). */
function encodeCodeCursor(code: string): string {
  return encodeOpaqueCursor({ code });
}

function decodeCodeCursor(text: string): string {
  return decodeOpaqueCursor(text, (position) => {
    const code = (position as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? code : null;
  });
}

const MAX_IMPORT_LINES = 100_000;

const ImportBody = z
  .object({
    codes: z
      .array(
        z.object({
          code: z.string().max(200),
          customer_id: z.string().max(255).nullable().optional().describe('our id or yours: a personal code'),
          balance_minor: z.number().int().min(0).nullable().optional().describe("a gift card's balance"),
          expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
        }),
      )
      .min(1)
      .max(MAX_IMPORT_LINES)
      .optional(),
    csv: z
      .string()
      .min(1)
      .optional()
      .describe('CSV text with a header row: code, and optionally customer_id, balance_minor, expires_at'),
  })
  .refine((b) => (b.codes === undefined) !== (b.csv === undefined), { message: 'give codes or csv' })
  .describe('The codes as JSON objects, or as CSV text; at most 100,000');

/** The body's lines, their first line number and how to name a problem's place. */
function importLines(body: z.infer<typeof ImportBody>): {
  lines: ImportedCodeLine[];
  firstLine: number;
  pathOf: (line: number, field: string) => string;
} {
  if (body.codes !== undefined)
    return { lines: body.codes, firstLine: 0, pathOf: (line, field) => `codes[${line}].${field}` };
  let records: Record<string, string>[];
  try {
    records = parseCsv(body.csv ?? '', {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      bom: true,
    });
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw validationFailed('The CSV cannot be read', [
      { path: line === undefined ? 'csv' : `lines[${line}]`, message: (err as Error).message },
    ]);
  }
  if (records.length > MAX_IMPORT_LINES)
    throw validationFailed('Too many codes', [{ path: 'csv', message: `at most ${MAX_IMPORT_LINES} lines` }]);
  if (records.length > 0 && !('code' in records[0]))
    throw validationFailed('The CSV has no code column', [{ path: 'lines[1]', message: 'no code column' }]);
  // Line numbers as an editor shows them: the header is line 1 (blank lines are skipped, so this
  // is exact for files without them).
  return { lines: records, firstLine: 2, pathOf: (line, field) => `lines[${line}].${field}` };
}

/**
 * Generated and imported codes belong to promotions triggered by them, and carry a balance only
 * when the promotion pays from it (a gift_card action): `balances` are the paths of those given.
 */
function requireUniqueCodes(row: PromotionRow, how: 'generated' | 'imported', balances: string[]): void {
  if (row.config.trigger.type !== 'unique_codes')
    throw validationFailed(`Codes can be ${how} only for a promotion with trigger unique_codes`, [
      { path: 'params.id', message: 'trigger is not unique_codes' },
    ]);
  if (balances.length > 0 && !paysFromBalance(row.config))
    throw validationFailed(
      'Only codes of a gift card promotion (a gift_card action) carry a balance',
      balances
        .slice(0, MAX_DETAILS)
        .map((path) => ({ path, message: 'the promotion has no gift_card action' })),
    );
}

const MAX_DETAILS = 1000;

function importRefused(
  problems: readonly { line: number; field: string; message: string }[],
  pathOf: (line: number, field: string) => string,
): ComebackError {
  const details: ErrorDetail[] = problems
    .slice(0, MAX_DETAILS)
    .map((p) => ({ path: pathOf(p.line, p.field), message: p.message }));
  const more = problems.length > MAX_DETAILS ? ` (the first ${MAX_DETAILS} are listed)` : '';
  return validationFailed(
    `${problems.length} lines cannot be imported; nothing was imported${more}`,
    details,
  );
}

/** Promotions management in snake_case: create, edit, archive, list, read with usage and budget, generate and export codes. */
export function registerPromotionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/promotions',
    { schema: { tags: ['Promotions'], summary: 'Create a promotion', body: PromotionBody } },
    async (req, reply) => {
      const { status, ...fields } = req.body as { status: 'active' | 'archived'; id?: string };
      const promotion = requireGiftCardAlone(
        parseFromApi(Promotion, { ...fields, id: fields.id ?? `prm_${ulid()}` }, 'promotion'),
      );
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
        const cur = await lockForEdit(q, storeId, req.params.id);
        let next: PromotionRow;
        if (Object.keys(changes).length === 0)
          next = status === undefined ? cur : await setPromotionStatus(q, storeId, cur.id, status);
        else {
          const config = requireGiftCardAlone(
            parseFromApi(Promotion, mergePatch(toApiShape(cur.config), changes), 'promotion'),
          );
          const refused = editRefusals(cur, config);
          if (refused.length > 0)
            throw validationFailed('The change would undo what is used already', refused);
          next = await updatePromotion(q, storeId, config, status ?? cur.status);
        }
        await reopenIfUnlimited(q, storeId, next);
        return next;
      });
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
      const storeId = storeOf(req);
      const row = await ctx.db.tx(async (q) => {
        await lockForEdit(q, storeId, req.params.id);
        return setPromotionStatus(q, storeId, req.params.id, 'archived');
      });
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
      const b = req.body;
      requireUniqueCodes(row, 'generated', b.balance_minor === null ? [] : ['balance_minor']);
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
        summary:
          "A promotion's codes, a page at a time in code order; with Accept: text/csv every match as CSV",
        params: Params,
        querystring: CodesQuery,
      },
    },
    async (req, reply) => {
      const storeId = storeOf(req);
      const row = await findPromotion(ctx.db, storeId, req.params.id);
      if (!row) throw notFound('Promotion', req.params.id);
      const { limit, cursor, redeemed, customer_id } = req.query;
      const filter = {
        redeemed: redeemed === undefined ? undefined : redeemed === 'true',
        customer: customer_id,
      };
      if ((req.headers.accept ?? '').includes('text/csv')) {
        const csv = pipeline(
          Readable.from(allCodes(ctx.db, storeId, row.id, filter)),
          stringify({ header: true, columns: [...CODE_COLUMNS] }),
          (err) => {
            if (err) req.log.error({ err }, 'code export failed');
          },
        );
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${row.id}-codes.csv"`);
        return reply.send(csv);
      }
      const rows = await listCodes(ctx.db, storeId, row.id, {
        ...filter,
        after: cursor === undefined ? undefined : decodeCodeCursor(cursor),
        limit: limit + 1,
      });
      const data = rows.slice(0, limit);
      return {
        promotion_id: row.id,
        data,
        next_cursor: rows.length > limit ? encodeCodeCursor(data[data.length - 1].code) : null,
      };
    },
  );
  r.post(
    '/v1/promotions/:id/codes/import',
    {
      schema: {
        tags: ['Promotions'],
        summary:
          'Import codes from another system (JSON lines or a CSV text), all or nothing, problems by line',
        params: Params,
        body: ImportBody,
      },
    },
    async (req, reply) => {
      const storeId = storeOf(req);
      const { lines, firstLine, pathOf } = importLines(req.body);
      const checked = checkImportedCodes(lines, firstLine);
      if (checked.problems.length > 0) throw importRefused(checked.problems, pathOf);
      const imported = await ctx.db.tx(async (q) => {
        const row = await findPromotion(q, storeId, req.params.id);
        if (!row) throw notFound('Promotion', req.params.id);
        requireUniqueCodes(
          row,
          'imported',
          checked.codes.flatMap((c) => (c.balanceMinor === null ? [] : [pathOf(c.line, 'balance_minor')])),
        );
        const res = await importCodes(q, storeId, row.id, checked.codes);
        // Thrown inside the transaction: a code taken meanwhile undoes the whole import.
        if (res.refusals.length > 0) throw importRefused(res.refusals, pathOf);
        return res.imported;
      });
      reply.status(201);
      return { promotion_id: req.params.id, imported };
    },
  );
}
