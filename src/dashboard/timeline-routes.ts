import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getCustomer } from '../customers/repository.ts';
import type { Queryable } from '../db/client.ts';
import { decodeOpaqueCursor, encodeOpaqueCursor, stringTuple } from '../db/pagination.ts';
import type { AppContext } from '../http/context.ts';
import { IdParams } from '../http/resource.ts';
import type { StaffSession } from '../staff/repository.ts';
import { staffOf } from '../staff/routes.ts';
import { assertCanSeeCustomer, can } from '../staff/rules.ts';

export const TIMELINE_KINDS = ['order', 'points', 'reward', 'call'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** Where a page of the timeline ends: the last item's time (microseconds, UTC), kind and id. */
interface Cursor {
  at: string;
  kind: string;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return encodeOpaqueCursor([c.at, c.kind, c.id]);
}

function decodeCursor(s: string): Cursor {
  return decodeOpaqueCursor(
    s,
    (position) => {
      const t = stringTuple(position, 3);
      return t && !Number.isNaN(Date.parse(t[0])) ? { at: t[0], kind: t[1], id: t[2] } : null;
    },
    'before',
    'use next_before from the previous page',
  );
}

/**
 * One branch per kind: the customer's rows in this store, newest first, each as (at, kind, id,
 * detail). `$1` store, `$2` customer, `$3`/`$4`/`$5` the cursor (null: from the newest), `$6` limit.
 */
const BRANCHES: Record<TimelineKind, string> = {
  order: `select o.placed_at as at, 'order' as kind, o.id,
      jsonb_build_object('external_id', o.external_id, 'currency', o.currency, 'total_minor', o.total_minor,
        'refunded_minor', o.refunded_minor, 'status', o.status, 'line_count', o.line_count,
        'discount_codes', to_jsonb(o.discount_codes)) as detail
    from orders o
    where o.store_id = $1 and o.customer_id = $2
      and ($3::timestamptz is null or (o.placed_at, 'order', o.id) < ($3::timestamptz, $4::text, $5::text))
    order by o.placed_at desc, o.id desc limit $6`,
  points: `select e.at, 'points' as kind, e.key as id,
      jsonb_build_object('entry_kind', e.kind, 'points', e.points, 'order_id', e.order_id,
        'reason', e.entry->>'reason', 'source', e.entry->'source') as detail
    from loyalty_entries e
    where e.store_id = $1 and e.customer_id = $2
      and ($3::timestamptz is null or (e.at, 'points', e.key) < ($3::timestamptz, $4::text, $5::text))
    order by e.at desc, e.key desc limit $6`,
  reward: `select c.created_at as at, 'reward' as kind, c.code as id,
      jsonb_build_object('code', c.code, 'promotion_id', c.promotion_id, 'promotion_name', p.config->>'name',
        'redeemed_at', c.redeemed_at, 'expires_at', c.expires_at, 'balance_minor', c.balance_minor,
        -- A gift card is a code of a gift card promotion (paysFromBalance); a balance on another code predates that rule.
        'gift_card', coalesce(p.config->'actions' @> '[{"code": "gift_card"}]', false)) as detail
    from promotion_codes c
    left join promotions p on p.store_id = c.store_id and p.id = c.promotion_id
    where c.store_id = $1 and c.customer_id = $2
      and ($3::timestamptz is null or (c.created_at, 'reward', c.code) < ($3::timestamptz, $4::text, $5::text))
    order by c.created_at desc, c.code desc limit $6`,
  call: `select k.called_at as at, 'call' as kind, k.id,
      jsonb_build_object('outcome', k.outcome, 'note', k.note, 'called_by', k.called_by, 'source', k.source) as detail
    from call_outcomes k
    where k.store_id = $1 and k.customer_id = $2
      and ($3::timestamptz is null or (k.called_at, 'call', k.id) < ($3::timestamptz, $4::text, $5::text))
    order by k.called_at desc, k.id desc limit $6`,
};

/** The kinds a role may see: points need `loyalty`, codes `promotions`; orders and calls come with the customer. */
export function timelineKindsFor(staff: Pick<StaffSession, 'role'>): TimelineKind[] {
  return TIMELINE_KINDS.filter(
    (k) =>
      (k !== 'points' || can(staff.role, 'loyalty')) && (k !== 'reward' || can(staff.role, 'promotions')),
  );
}

export interface TimelineItem {
  kind: TimelineKind;
  id: string;
  at: string;
  detail: Record<string, unknown>;
}

/**
 * A customer's orders, points, rewards and calls in one list, newest first (ties by kind, then id),
 * `limit` items older than `before`, in one statement. `next_before` continues the list (null: the end).
 */
export async function customerTimeline(
  q: Queryable,
  storeId: string,
  customerId: string,
  kinds: readonly TimelineKind[],
  limit: number,
  before: Cursor | null,
): Promise<{ data: TimelineItem[]; next_before: string | null }> {
  if (kinds.length === 0) return { data: [], next_before: null };
  const sql = `select to_char(t.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, t.kind, t.id, t.detail
    from (${kinds.map((k) => `(${BRANCHES[k]})`).join('\n    union all\n    ')}) t
    order by t.at desc, t.kind desc, t.id desc
    limit $6`;
  const res = await q.query<TimelineItem>(sql, [
    storeId,
    customerId,
    before?.at ?? null,
    before?.kind ?? null,
    before?.id ?? null,
    limit + 1,
  ]);
  const rows = res.rows.slice(0, limit);
  const last = rows.at(-1);
  const data = rows.map((r) => ({
    ...r,
    // The cursor keeps microseconds; the page needs milliseconds.
    at: new Date(r.at).toISOString(),
  }));
  return {
    data,
    next_before: res.rows.length > limit && last ? encodeCursor(last) : null,
  };
}

const TimelineQuery = z.object({
  before: z.string().max(500).optional().describe('next_before of the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** The customer 360 page's timeline (same access as GET /app/api/customers/:id). */
export function registerTimelineApi(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/app/api/customers/:id/timeline',
    { schema: { hide: true, params: IdParams, querystring: TimelineQuery } },
    async (req) => {
      const staff = staffOf(req);
      const c = await getCustomer(ctx.db, staff.storeId, req.params.id);
      assertCanSeeCustomer(staff, c.account_manager);
      const before = req.query.before ? decodeCursor(req.query.before) : null;
      const page = await customerTimeline(
        ctx.db,
        staff.storeId,
        c.id,
        timelineKindsFor(staff),
        req.query.limit,
        before,
      );
      return { ...page, kinds: timelineKindsFor(staff) };
    },
  );
}
