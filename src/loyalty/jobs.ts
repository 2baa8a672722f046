/**
 * The daily loyalty job of one store (run by the worker, or on demand): write off lapsed points,
 * remind of points about to lapse, pay birthday bonuses, evaluate and store tiers (with membership
 * renewals), issue Nth-order certificates and convert referrals. Every decision is the pure core's; every step is
 * idempotent (ledger keys, event dedupe keys, guarded updates), so running it twice at the same
 * time changes nothing the second time, and two runs at once write each thing once.
 */
import { randomBytes } from 'node:crypto';
import { type Db, lockKey, type Queryable } from '../db/client.ts';
import type { IdGenerator } from '../kernel/ids.ts';
import { DAY_MS, utcOffsetMinutes } from '../kernel/time.ts';
import { generateCodes } from '../promotions/codes.ts';
import { localDate } from './calendar.ts';
import { certificateDue } from './certificates.ts';
import { birthdayBonusOperation } from './earn-rules.ts';
import { expiringPoints, planExpiry, planLedgerOperation } from './ledger.ts';
import { EARNING_STATUSES } from './order-earn.ts';
import type { LoyaltyProgram } from './program.ts';
import { referralConversion } from './referrals.ts';
import {
  applyLedgerDecision,
  findProgram,
  insertLoyaltyEvents,
  loadLedger,
  loadLedgers,
  lockLedgers,
} from './repository.ts';
import { evaluateStoredTiers } from './tier-repository.ts';

export const LOYALTY_QUEUE = 'loyalty-run';

/** Customers handled per transaction by the ledger steps. */
const CHUNK = 200;
/** A certificate is issued for a threshold reached by an order placed this recently (no backlog after an import). */
export const CERTIFICATE_LOOKBACK_DAYS = 30;

export interface LoyaltyJobSummary {
  expired: { customers: number; points: number };
  expiringReminders: number;
  birthdayBonuses: number;
  tiers: { evaluated: number; changed: number; renewalReminders: number };
  certificates: number;
  referrals: { converted: number; rejected: number; waiting: number };
  /** What the store owner should fix for a step to do its work (e.g. a certificate promotion that does not exist). */
  warnings: string[];
}

export interface LoyaltyJobContext {
  db: Db;
  ids: IdGenerator;
}

const iso = (ms: number) => new Date(ms).toISOString();
const msOf = (v: Date | string) => (v instanceof Date ? v.getTime() : Date.parse(v));

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Writes off what is left of lots whose expiry has come (`planExpiry`, keyed `expire:<lot>`). */
export async function expireLots(
  db: Db,
  storeId: string,
  now: number,
): Promise<LoyaltyJobSummary['expired']> {
  const due = await db.query<{ customer_id: string }>(
    `select distinct customer_id from loyalty_lots
     where store_id = $1 and remaining > 0 and expires_at <= $2 order by customer_id`,
    [storeId, iso(now)],
  );
  const out = { customers: 0, points: 0 };
  for (const part of chunks(
    due.rows.map((r) => r.customer_id),
    CHUNK,
  ))
    await db.tx(async (q) => {
      await lockLedgers(q, storeId, part);
      for (const [, state] of await loadLedgers(q, storeId, part)) {
        const d = planExpiry(state, now);
        if (d.type !== 'append') continue;
        await applyLedgerDecision(q, storeId, d);
        out.customers++;
        for (const e of d.entries) out.points -= e.points;
      }
    });
  return out;
}

/** "Points expiring in N days" events (`expiringPoints`), once per lot and horizon. */
export async function remindExpiringPoints(
  db: Db,
  storeId: string,
  program: LoyaltyProgram,
  now: number,
): Promise<number> {
  const days = program.expiryReminderDays;
  const due = await db.query<{ customer_id: string }>(
    `select distinct customer_id from loyalty_lots
     where store_id = $1 and remaining > 0 and available_at <= $2 and expires_at > $2 and expires_at <= $3
     order by customer_id`,
    [storeId, iso(now), iso(now + days * DAY_MS)],
  );
  let n = 0;
  for (const part of chunks(
    due.rows.map((r) => r.customer_id),
    CHUNK,
  )) {
    const ledgers = await loadLedgers(db, storeId, part);
    const events = [...ledgers.values()].flatMap((state) => expiringPoints(state, now, days));
    n += await insertLoyaltyEvents(db, storeId, events);
  }
  return n;
}

/**
 * Birthday bonuses (`birthdayBonusOperation`): customers whose birthday is today in the store's
 * time zone (29 February on the 28th in other years) get `bonuses.birthday` points, once per
 * customer and year (ledger key `bonus:birthday:<year>`).
 */
export async function payBirthdayBonuses(
  db: Db,
  storeId: string,
  program: LoyaltyProgram,
  now: number,
): Promise<number> {
  if (program.bonuses.birthday <= 0) return 0;
  const store = await db.query<{ timezone: string }>('select timezone from stores where id = $1', [storeId]);
  const offset = utcOffsetMinutes(store.rows[0]?.timezone ?? 'UTC', now);
  const today = localDate(now, offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  const days = [`${pad(today.month)}-${pad(today.day)}`];
  // The core decides; this only narrows the read (29 February birthdays on the 28th in other years).
  if (today.month === 2 && today.day === 28) days.push('02-29');
  const due = await db.query<{ id: string; month: number; day: number }>(
    `select id, extract(month from birthday)::int as month, extract(day from birthday)::int as day
     from customers where store_id = $1 and birthday is not null and to_char(birthday, 'MM-DD') = any($2::text[])
     order by id`,
    [storeId, days],
  );
  const birthdays = new Map(due.rows.map((r) => [r.id, { month: r.month, day: r.day }]));
  let paid = 0;
  for (const part of chunks([...birthdays.keys()], CHUNK))
    await db.tx(async (q) => {
      await lockLedgers(q, storeId, part);
      for (const [customerId, state] of await loadLedgers(q, storeId, part)) {
        const op = birthdayBonusOperation(program, birthdays.get(customerId) ?? null, now, offset);
        if (op === null) continue;
        const d = planLedgerOperation(state, op);
        if (d.type !== 'append') continue;
        await applyLedgerDecision(q, storeId, d);
        paid++;
      }
    });
  return paid;
}

/**
 * Nth-order certificates: customers whose count of paid orders (`EARNING_STATUSES`) reached a
 * multiple of `certificate.every` with an order placed in the last 30 days get a personal code of
 * the certificate promotion, once per threshold (`certificate_issued:<customer>:<n>`).
 */
export async function issueCertificates(
  db: Db,
  storeId: string,
  program: LoyaltyProgram,
  now: number,
  warnings: string[] = [],
): Promise<number> {
  const c = program.certificate;
  if (c === null) return 0;
  const promotion = await db.query<{ status: string }>(
    'select status from promotions where store_id = $1 and id = $2',
    [storeId, c.promotionId],
  );
  if (promotion.rows.length === 0) {
    warnings.push(`No certificates issued: the certificate promotion ${c.promotionId} does not exist`);
    return 0;
  }
  if (promotion.rows[0].status !== 'active')
    warnings.push(`The certificate promotion ${c.promotionId} is archived: its codes cannot be used`);
  const since = iso(now - CERTIFICATE_LOOKBACK_DAYS * DAY_MS);
  const due = await db.query<{ customer_id: string; n: number }>(
    `select customer_id, n::int as n from (
       select customer_id, placed_at, row_number() over (partition by customer_id order by placed_at, id) as n
       from orders
       where store_id = $1 and status = any($5::text[]) and customer_id in (
         select customer_id from orders where store_id = $1 and customer_id is not null
           and placed_at > $2 and placed_at <= $3)) x
     where n % $4 = 0 and placed_at > $2 and placed_at <= $3
       and not exists (select 1 from loyalty_events e where e.store_id = $1
         and e.dedupe_key = 'certificate_issued:' || x.customer_id || ':' || x.n)
     order by customer_id, n`,
    [storeId, since, iso(now), c.every, EARNING_STATUSES],
  );
  let issued = 0;
  for (const row of due.rows)
    await db.tx(async (q) => {
      const key = `certificate:${storeId}:${row.customer_id}:${row.n}`;
      await lockKey(q, key);
      const seen = await q.query('select 1 from loyalty_events where store_id = $1 and dedupe_key = $2', [
        storeId,
        `certificate_issued:${row.customer_id}:${row.n}`,
      ]);
      if (seen.rows.length > 0) return;
      const issue = certificateDue(program, row.customer_id, row.n, now, () => newCode());
      if (issue === null) return;
      const ins = await q.query(
        `insert into promotion_codes (store_id, code, promotion_id, customer_id, expires_at)
         values ($1, $2, $3, $4, $5) on conflict (store_id, code) do nothing returning code`,
        [
          storeId,
          issue.code,
          issue.promotionId,
          issue.customerId,
          issue.expiresAt === null ? null : iso(issue.expiresAt),
        ],
      );
      // A drawn code that exists already (about 1 in 10^14): the next run issues it.
      if (ins.rows.length === 0) return;
      issued += await insertLoyaltyEvents(q, storeId, [issue.event]);
    });
  return issued;
}

function newCode(): string {
  const gen = generateCodes({ count: 1, length: 10, randomBytes: (n) => new Uint8Array(randomBytes(n)) });
  if (gen.type !== 'generated') throw new Error('could not draw a certificate code');
  return gen.codes[0];
}

/**
 * Referral conversions (`referralConversion`): a pending referral whose new customer's first
 * order reached the minimum and passed its return window rewards both sides once (bonus keys
 * `bonus:referral:<id>:referrer|referee`), flips to converted and raises `referral_converted`; one
 * whose first order fell below the minimum is rejected.
 */
export async function convertReferrals(
  db: Db,
  storeId: string,
  program: LoyaltyProgram,
  now: number,
): Promise<LoyaltyJobSummary['referrals']> {
  const out = { converted: 0, rejected: 0, waiting: 0 };
  const pending = await db.query<{
    id: string;
    referrer_id: string;
    referee_id: string;
    external_id: string;
    placed_at: Date;
    total_minor: string | number;
    refunded_minor: string | number;
    status: string;
  }>(
    // The first order paid, or paid and then refunded in full: a refunded first order decides too
    // (it is below any minimum), rather than leaving the referral to the next order.
    `select r.id, r.referrer_id, r.referee_id, f.external_id, f.placed_at, f.total_minor, f.refunded_minor, f.status
     from referrals r
     join lateral (select external_id, placed_at, total_minor, refunded_minor, status from orders o
       where o.store_id = r.store_id and o.customer_id = r.referee_id
         and (o.status = any($2::text[]) or o.status = 'refunded')
       order by placed_at, id limit 1) f on true
     where r.store_id = $1 and r.status = 'pending' order by r.id`,
    [storeId, EARNING_STATUSES],
  );
  for (const r of pending.rows) {
    const decision = referralConversion(
      program,
      { id: r.id, referrerId: r.referrer_id, refereeId: r.referee_id },
      {
        orderId: r.external_id,
        placedAt: msOf(r.placed_at),
        totalMinor: Number(r.total_minor),
        refundedMinor: r.status === 'refunded' ? Number(r.total_minor) : Number(r.refunded_minor),
      },
      now,
    );
    if (decision.type === 'wait') {
      out.waiting++;
      continue;
    }
    await db.tx(async (q) => {
      const status = decision.type === 'converted' ? 'converted' : 'rejected';
      const upd = await q.query(
        `update referrals set status = $3, decided_at = $4, reason = $5
         where store_id = $1 and id = $2 and status = 'pending' returning id`,
        [storeId, r.id, status, iso(now), decision.type === 'rejected' ? decision.reason : null],
      );
      if (upd.rows.length === 0) return;
      if (decision.type === 'rejected') {
        out.rejected++;
        return;
      }
      const ops = [...decision.operations].sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
      for (const op of ops) {
        const state = await loadLedger(q, storeId, op.customerId, true);
        await applyLedgerDecision(q, storeId, planLedgerOperation(state, op.operation));
      }
      await insertLoyaltyEvents(q, storeId, [decision.event]);
      out.converted++;
    });
  }
  return out;
}

/** Runs every step for one store at `now`; records the run. Null when the store has no program. */
export async function runLoyaltyJob(
  ctx: LoyaltyJobContext,
  storeId: string,
  trigger: string,
  now: number,
): Promise<{ runId: string; summary: LoyaltyJobSummary } | null> {
  const program = await findProgram(ctx.db, storeId);
  if (program === null) return null;
  const runId = ctx.ids('loyaltyRun');
  await ctx.db.query(
    `insert into loyalty_job_runs (store_id, id, trigger, started_at, status) values ($1, $2, $3, $4, 'running')`,
    [storeId, runId, trigger, iso(now)],
  );
  try {
    const expired = await expireLots(ctx.db, storeId, now);
    const expiringReminders = await remindExpiringPoints(ctx.db, storeId, program, now);
    const birthdayBonuses = await payBirthdayBonuses(ctx.db, storeId, program, now);
    const tiers = await ctx.db.tx((q) => evaluateStoredTiers(q, storeId, program, now));
    const warnings: string[] = [];
    const certificates = await issueCertificates(ctx.db, storeId, program, now, warnings);
    const referrals = await convertReferrals(ctx.db, storeId, program, now);
    const summary: LoyaltyJobSummary = {
      expired,
      expiringReminders,
      birthdayBonuses,
      tiers,
      certificates,
      referrals,
      warnings,
    };
    await finishRun(ctx.db, storeId, runId, 'done', summary, null);
    return { runId, summary };
  } catch (err) {
    await finishRun(ctx.db, storeId, runId, 'failed', null, (err as Error).message);
    throw err;
  }
}

async function finishRun(
  q: Queryable,
  storeId: string,
  runId: string,
  status: 'done' | 'failed',
  summary: LoyaltyJobSummary | null,
  error: string | null,
): Promise<void> {
  await q.query(
    `update loyalty_job_runs set status = $3, finished_at = now(), summary = $4::jsonb, error = $5
     where store_id = $1 and id = $2`,
    [storeId, runId, status, summary === null ? null : JSON.stringify(summary), error],
  );
}

/** The store's latest loyalty job runs, newest first. */
export async function latestLoyaltyRuns(q: Queryable, storeId: string, limit = 10) {
  const res = await q.query(
    `select id, trigger, started_at, finished_at, status, summary, error from loyalty_job_runs
     where store_id = $1 order by id desc limit $2`,
    [storeId, limit],
  );
  return res.rows;
}

/** Stores with a loyalty program: the nightly run queues each. */
export async function storesWithProgram(q: Queryable): Promise<string[]> {
  const res = await q.query<{ store_id: string }>('select store_id from loyalty_programs order by store_id');
  return res.rows.map((r) => r.store_id);
}
