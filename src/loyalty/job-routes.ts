import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getCustomer } from '../customers/repository.ts';
import { lockKey } from '../db/client.ts';
import { decodeOpaqueCursor, encodeOpaqueCursor, stringTuple } from '../db/pagination.ts';
import { toApiShape } from '../http/api-shape.ts';
import { type AppContext, storeOf } from '../http/context.ts';
import { ComebackError, notFound } from '../kernel/errors.ts';
import { normalizeCode } from '../promotions/codes.ts';
import { getStoreBySlug } from '../stores/repository.ts';
import { latestLoyaltyRuns, runLoyaltyJob } from './jobs.ts';
import {
  insertReferral,
  ordersPlaced,
  referralCode,
  referralCodeOwner,
  referralParty,
  referralsMadeBy,
} from './referral-repository.ts';
import { checkReferral } from './referrals.ts';
import { findProgram, loyaltyEventsPage } from './repository.ts';
import {
  customerTier,
  evaluateStoredTiers,
  insertMembership,
  loadMemberships,
  membershipByKey,
  tierRunLockKey,
} from './tier-repository.ts';
import { purchaseMembership } from './tiers.ts';

const Params = z.object({ id: z.string().min(1).max(255).describe('our id or the external id') });

export const LOYALTY_EVENT_KINDS = [
  'points_earned',
  'points_expired',
  'points_expiring',
  'tier_changed',
  'certificate_issued',
  'referral_converted',
  'membership_renewal_due',
] as const;

const EventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional().describe('next_cursor of the previous page'),
  kind: z.enum(LOYALTY_EVENT_KINDS).optional(),
  customer_id: z.string().max(255).optional().describe('our id or the external id'),
});

const MembershipBody = z.object({
  tier: z.string().trim().min(1).max(50).describe('a tier level with `membership` set'),
  key: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe("the store's id of the purchase (e.g. its order id): the same key twice records one period"),
});

const ReferralBody = z.object({
  code: z.string().trim().min(1).max(100).describe("the referrer's referral code"),
  customer: z
    .object({ id: z.string().min(1).max(255).optional(), external_id: z.string().min(1).max(255).optional() })
    .refine((c) => c.id !== undefined || c.external_id !== undefined, 'id or external_id is required')
    .describe('the new customer'),
});

/** The feed's cursor: the last event's transaction and id. */
function encodeEventCursor(tx: string, id: string): string {
  return encodeOpaqueCursor([tx, id]);
}

function decodeEventCursor(text: string): { tx: string; id: string } {
  return decodeOpaqueCursor(text, (position) => {
    const t = stringTuple(position, 2);
    return t && /^\d{1,19}$/.test(t[0]) ? { tx: t[0], id: t[1] } : null;
  });
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/**
 * The loyalty job and what it produces over HTTP: run it now, its runs, the events feed,
 * customers' tiers, paid memberships, referral codes and referrals.
 */
export function registerLoyaltyJobRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/loyalty/jobs/run',
    {
      schema: {
        tags: ['Loyalty'],
        summary: "Run the store's loyalty job now (expiry, reminders, tiers, certificates, referrals)",
        description:
          'Queued on the worker (202) unless `wait=true`, which runs it before answering (200, with what each step did). Every step is idempotent: running it again changes nothing.',
        querystring: z.object({ wait: z.enum(['true', 'false']).default('false') }),
      },
    },
    async (req, reply) => {
      const s = storeOf(req);
      if (!(await findProgram(ctx.db, s))) throw notFound('Loyalty program', 'of this store');
      if (req.query.wait === 'true' || !ctx.jobs) {
        const out = await runLoyaltyJob(ctx, s, 'api', ctx.clock().getTime());
        return { run_id: out?.runId ?? null, status: 'done', summary: out?.summary ?? null };
      }
      const jobId = await ctx.jobs.runLoyalty(s, 'api');
      reply.status(202);
      return { job_id: jobId, status: jobId ? 'queued' : 'already queued' };
    },
  );
  r.get(
    '/v1/loyalty/jobs/runs',
    { schema: { tags: ['Loyalty'], summary: "The store's latest loyalty job runs, newest first" } },
    async (req) => ({ data: await latestLoyaltyRuns(ctx.db, storeOf(req)) }),
  );
  r.get(
    '/v1/loyalty/events',
    {
      schema: {
        tags: ['Loyalty'],
        summary: 'Loyalty events for automation, oldest first (cursor pagination)',
        description:
          'points_earned, points_expired, points_expiring, tier_changed, certificate_issued, referral_converted, membership_renewal_due. Each event happens once (its dedupe_key is unique); poll with the last next_cursor.',
        querystring: EventsQuery,
      },
    },
    async (req) => {
      const s = storeOf(req);
      const f = req.query;
      const rows = await loyaltyEventsPage(ctx.db, s, {
        kind: f.kind,
        customerId: f.customer_id ? (await getCustomer(ctx.db, s, f.customer_id)).id : undefined,
        after: f.cursor ? decodeEventCursor(f.cursor) : null,
        limit: f.limit + 1,
      });
      const more = rows.length > f.limit;
      const kept = more ? rows.slice(0, f.limit) : rows;
      // Stored in the core's shape; the API's is snake_case with ISO-8601 times.
      const data = kept.map(({ tx: _tx, ...e }) => ({ ...e, payload: toApiShape(e.payload) }));
      const last = kept[kept.length - 1];
      return { data, next_cursor: more ? encodeEventCursor(String(last.tx), last.id) : null };
    },
  );
  r.get(
    '/v1/customers/:id/tier',
    {
      schema: {
        tags: ['Loyalty'],
        summary: "A customer's stored tier, rolling activity and memberships",
        params: Params,
      },
    },
    async (req) => {
      const s = storeOf(req);
      const customerId = (await getCustomer(ctx.db, s, req.params.id)).id;
      const t = await customerTier(ctx.db, s, customerId);
      const memberships = (await loadMemberships(ctx.db, s, ctx.clock().getTime(), [customerId])).get(
        customerId,
      );
      return {
        customer_id: customerId,
        tier: t.tier,
        earned_tier: t.earned_tier,
        grace_until: iso(t.grace_until),
        rolling_spend_minor: t.rolling_spend_minor,
        rolling_orders: t.rolling_orders,
        evaluated_at: iso(t.evaluated_at),
        memberships: (memberships ?? []).map((m) => ({
          id: m.id,
          tier: m.tier,
          starts_at: iso(new Date(m.startsAt)),
          ends_at: iso(new Date(m.endsAt)),
        })),
      };
    },
  );
  r.post(
    '/v1/customers/:id/memberships',
    {
      schema: {
        tags: ['Loyalty'],
        summary: 'Record a paid membership (a tier bought for its period); renewals extend the last period',
        params: Params,
        body: MembershipBody,
      },
    },
    async (req, reply) => {
      const s = storeOf(req);
      const customerId = (await getCustomer(ctx.db, s, req.params.id)).id;
      const program = await findProgram(ctx.db, s);
      if (!program) throw notFound('Loyalty program', 'of this store');
      const now = ctx.clock().getTime();
      const out = await ctx.db.tx(async (q) => {
        await lockKey(q, tierRunLockKey(s));
        const prior = await membershipByKey(q, s, req.body.key);
        if (prior) return { created: false, row: prior };
        const held = (await loadMemberships(q, s, now, [customerId])).get(customerId) ?? [];
        const p = purchaseMembership(program.tiers, held, req.body.tier, ctx.ids('membership'), now);
        if (p.type === 'rejected')
          throw new ComebackError(
            'VALIDATION_FAILED',
            p.reason === 'unknown_tier' ? `No tier ${p.tier}` : `Tier ${p.tier} is not sold as a membership`,
            [{ path: 'tier', message: p.reason }],
          );
        const m = p.membership;
        await insertMembership(q, s, customerId, m, p.priceMinor, req.body.key);
        // The tier in force changes now, not at the next nightly run.
        await evaluateStoredTiers(q, s, program, now, [customerId]);
        return {
          created: true,
          row: {
            id: m.id,
            tier: m.tier,
            starts_at: new Date(m.startsAt),
            ends_at: new Date(m.endsAt),
            price_minor: String(p.priceMinor),
          },
        };
      });
      reply.status(out.created ? 201 : 200);
      const t = await customerTier(ctx.db, s, customerId);
      return {
        id: out.row.id,
        customer_id: customerId,
        tier: out.row.tier,
        starts_at: iso(out.row.starts_at),
        ends_at: iso(out.row.ends_at),
        price_minor: Number(out.row.price_minor),
        duplicate: !out.created,
        tier_in_force: t.tier,
      };
    },
  );
  r.get(
    '/v1/customers/:id/referral',
    {
      schema: {
        tags: ['Loyalty'],
        summary: "A customer's referral code (created on first ask) and their referrals",
        params: Params,
      },
    },
    async (req) => {
      const s = storeOf(req);
      const customerId = (await getCustomer(ctx.db, s, req.params.id)).id;
      const code = await referralCode(ctx.db, s, customerId);
      return { customer_id: customerId, code, referrals: await referralsMadeBy(ctx.db, s, customerId) };
    },
  );
  r.post(
    '/v1/referrals',
    {
      schema: {
        tags: ['Loyalty'],
        summary: 'Record that a new customer came with a referral code',
        description:
          'Refused (422, details[0].message self_referral or not_new_customer) when the new customer is the referrer by id, email, phone or postal address (street line and postal code), or has ordered already; 409 when the customer was referred already. The job rewards both once the first order passes the minimum and its return window.',
        body: ReferralBody,
      },
    },
    async (req, reply) => {
      const s = storeOf(req);
      const refereeId = (
        await getCustomer(ctx.db, s, (req.body.customer.id ?? req.body.customer.external_id) as string)
      ).id;
      const code = normalizeCode(req.body.code);
      const referrerId = await referralCodeOwner(ctx.db, s, code);
      if (!referrerId) throw notFound('Referral code', req.body.code);
      const check = checkReferral(
        await referralParty(ctx.db, s, referrerId),
        await referralParty(ctx.db, s, refereeId),
        await ordersPlaced(ctx.db, s, refereeId),
      );
      if (!check.ok)
        throw new ComebackError(
          'VALIDATION_FAILED',
          check.reason === 'self_referral'
            ? `The referral is refused: same ${check.matched} as the referrer`
            : 'The referral is refused: the customer has ordered before',
          [{ path: 'customer', message: check.reason }],
        );
      const id = ctx.ids('referral');
      if (!(await insertReferral(ctx.db, s, { id, referrerId, refereeId, code })))
        throw new ComebackError('CONFLICT', 'The customer was referred already', [
          { path: 'customer', message: 'already_referred' },
        ]);
      reply.status(201);
      return { id, referrer_id: referrerId, referee_id: refereeId, status: 'pending' };
    },
  );
}

/** The local admin API's run of a store's loyalty job, for `comeback loyalty run` while `serve` holds the database. */
export function registerLoyaltyAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  app
    .withTypeProvider<ZodTypeProvider>()
    .post(
      '/admin/v1/stores/:slug/loyalty/jobs/run',
      { schema: { hide: true, params: z.object({ slug: z.string().min(1).max(63) }) } },
      async (req) => {
        const store = await getStoreBySlug(ctx.db, req.params.slug);
        const out = await runLoyaltyJob(ctx, store.id, 'cli', ctx.clock().getTime());
        return { run_id: out?.runId ?? null, summary: out?.summary ?? null };
      },
    );
}
