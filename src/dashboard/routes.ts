import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listCustomers } from '../customers/repository.ts';
import { CustomerListQuery, customer360 } from '../customers/routes.ts';
import type { AppContext } from '../http/context.ts';
import { IdParams } from '../http/resource.ts';
import { ComebackError, notFound } from '../kernel/errors.ts';
import { activeScoreRun, DEFAULT_ANALYTICS, latestScoreRun, recomputeStoreScores } from '../scores/jobs.ts';
import type { StaffSession } from '../staff/repository.ts';
import { listStaffUsers } from '../staff/repository.ts';
import { staffOf } from '../staff/routes.ts';
import { assertCanSeeCustomer, can } from '../staff/rules.ts';
import { listApiKeys } from '../stores/repository.ts';
import {
  callList,
  filterOptions,
  lastFailedRun,
  monthlyTrends,
  scoreRunTrends,
  searchCustomers,
  storeCounts,
} from './repository.ts';

/** The account manager whose customers a staff member is limited to; null when they see everyone. */
function scopeOf(staff: StaffSession): string | null {
  return can(staff.role, 'customers:all') ? null : staff.email.toLowerCase();
}

const hidden = { hide: true } as const;

/**
 * The dashboard's JSON API under /app/api (session auth, see staff/routes.ts). Each route reuses the
 * repositories behind /v1 and adds the role's limits: account managers only ever get their own
 * customers, whatever filter they send.
 */
export function registerDashboardApi(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/app/api/analytics', { config: { permission: 'analytics' }, schema: hidden }, async (req) => {
    const { storeId } = staffOf(req);
    const [latest, running, failed] = await Promise.all([
      latestScoreRun(ctx.db, storeId),
      activeScoreRun(ctx.db, storeId),
      lastFailedRun(ctx.db, storeId),
    ]);
    // Counting rows is only needed to explain an empty state; a store with a report skips it.
    const counts = latest ? null : await storeCounts(ctx.db, storeId);
    return { latest, running, failed, counts };
  });

  // The overview's trends: 12 calendar months from the orders, and the score runs' CLV and health.
  r.get('/app/api/analytics/trends', { config: { permission: 'analytics' }, schema: hidden }, async (req) => {
    const staff = staffOf(req);
    const manager = scopeOf(staff);
    const now = ctx.clock();
    const [store, months, runs] = await Promise.all([
      ctx.db.query<{ currency: string }>('select currency from stores where id = $1', [staff.storeId]),
      monthlyTrends(ctx.db, staff.storeId, manager, now),
      // Runs describe the whole store: someone limited to their own customers does not get them.
      manager === null ? scoreRunTrends(ctx.db, staff.storeId, now) : Promise.resolve(null),
    ]);
    return { currency: store.rows[0]?.currency ?? 'EUR', months, runs };
  });

  r.post(
    '/app/api/analytics/recompute',
    { config: { permission: 'analytics' }, schema: hidden },
    async (req, reply) => {
      const { storeId } = staffOf(req);
      if (!ctx.jobs) {
        // No worker (tests, embedded tools): compute before answering.
        return { status: 'done', run_id: await recomputeStoreScores(ctx, storeId, 'dashboard') };
      }
      const jobId = await ctx.jobs.recomputeScores(storeId, 'dashboard');
      reply.status(202);
      return { status: jobId ? 'queued' : 'already queued', job_id: jobId };
    },
  );

  r.get(
    '/app/api/customers',
    {
      schema: {
        ...hidden,
        querystring: CustomerListQuery.extend({
          q: z.string().trim().max(200).optional().describe('search name, email, phone or id'),
        }),
      },
    },
    async (req) => {
      const staff = staffOf(req);
      const manager = scopeOf(staff);
      const { q, ...filter } = req.query;
      if (q) {
        const data = await searchCustomers(ctx.db, staff.storeId, q, manager, filter.limit);
        return { data, next_cursor: null, search: q };
      }
      if (manager !== null) {
        if (filter.account_manager && filter.account_manager.toLowerCase() !== manager) {
          throw new ComebackError('FORBIDDEN', 'You can only list your own customers');
        }
        filter.account_manager = manager;
      }
      return listCustomers(ctx.db, staff.storeId, filter);
    },
  );

  r.get('/app/api/customers/:id', { schema: { ...hidden, params: IdParams } }, async (req) => {
    const staff = staffOf(req);
    const c = await customer360(ctx.db, staff.storeId, req.params.id);
    if (!c) throw notFound('Customer', req.params.id);
    assertCanSeeCustomer(staff, (c as { account_manager?: unknown }).account_manager);
    return c;
  });

  r.get(
    '/app/api/call-list',
    {
      schema: {
        ...hidden,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(25) }),
      },
    },
    async (req) => {
      const staff = staffOf(req);
      return {
        data: await callList(ctx.db, staff.storeId, scopeOf(staff), req.query.limit, ctx.clock()),
      };
    },
  );

  r.get('/app/api/filter-options', { schema: hidden }, async (req) => {
    const staff = staffOf(req);
    return filterOptions(ctx.db, staff.storeId, scopeOf(staff));
  });

  r.get('/app/api/settings', { config: { permission: 'settings' }, schema: hidden }, async (req) => {
    const staff = staffOf(req);
    const store = await ctx.db.query<{ settings: { analytics?: object } } & Record<string, unknown>>(
      'select id, slug, name, currency, timezone, settings, created_at from stores where id = $1',
      [staff.storeId],
    );
    const { settings, ...profile } = store.rows[0];
    return {
      store: profile,
      analytics: { ...DEFAULT_ANALYTICS, ...(settings.analytics ?? {}) },
      languages: (settings as { languages?: string[] }).languages ?? ['en'],
      users: await listStaffUsers(ctx.db, staff.storeId),
      api_keys: can(staff.role, 'api_keys') ? await listApiKeys(ctx.db, staff.storeId) : null,
    };
  });
}
