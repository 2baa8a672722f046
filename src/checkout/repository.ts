/**
 * Checkout's database shell: builds the core's `CheckoutInput` from the store's data, and commits
 * or cancels an order's effects in one transaction. Every limit is enforced by a guarded
 * conditional update (`… where uses < max_uses`), so concurrent commits never exceed it; a guard
 * that fails rolls the whole commit back. The order's external id makes a commit idempotent.
 */
import type { Db, Queryable } from '../db/client.ts';
import { toApiShape } from '../http/api-shape.ts';
import { ComebackError, notFound } from '../kernel/errors.ts';
import { DAY_MS } from '../kernel/time.ts';
import { earnOperation, type LoyaltyProgram, ledgerBalance, planLedgerOperation } from '../loyalty/index.ts';
import { applyLedgerDecision, findProgram, LedgerConflict, loadLedger } from '../loyalty/repository.ts';
import {
  type CheckoutEffect,
  type CheckoutEvaluation,
  type CheckoutInput,
  type CustomerContext,
  evaluateCheckout,
  normalizeCode,
} from '../promotions/index.ts';
import { customerPromotionUses, loadCheckoutPromotions } from '../promotions/repository.ts';
import type { CheckoutCommitInput, CheckoutEvaluateInput } from './schemas.ts';

/** A guarded update found a limit reached: the commit is refused with this reason. */
export class CheckoutConflict extends Error {
  readonly reason: string;
  readonly path: string;
  constructor(reason: string, path: string, message: string) {
    super(message);
    this.name = 'CheckoutConflict';
    this.reason = reason;
    this.path = path;
  }

  toError(): ComebackError {
    return new ComebackError('CHECKOUT_CONFLICT', this.message, [{ path: this.path, message: this.reason }]);
  }
}

/** The store's offset from UTC at `at`, for birthdays and yearly windows. */
function utcOffsetMinutes(timezone: string, at: number): number {
  try {
    const d = new Date(at);
    const local = new Date(d.toLocaleString('en-US', { timeZone: timezone }));
    const utc = new Date(d.toLocaleString('en-US', { timeZone: 'UTC' }));
    return Math.round((local.getTime() - utc.getTime()) / 60_000);
  } catch {
    return 0;
  }
}

const GUEST: CustomerContext = {
  customerId: null,
  tier: null,
  segments: [],
  orderCount: 0,
  birthday: null,
  promotionUses: {},
  availablePoints: 0,
  rolling: { spendMinor: 0, orderCount: 0 },
};

async function customerContext(
  q: Queryable,
  storeId: string,
  ref: CheckoutEvaluateInput['customer'],
  program: LoyaltyProgram | null,
  now: number,
): Promise<CustomerContext> {
  if (ref === null) return GUEST;
  const idOrExternal = ref.id ?? (ref.external_id as string);
  // The tier the loyalty job stored (customer_tiers), in the same read as the customer.
  const res = await q.query<{ id: string; birthday: string | null; tags: string[]; tier: string | null }>(
    `select c.id, c.birthday, c.tags, t.tier from customers c
     left join customer_tiers t on t.store_id = c.store_id and t.customer_id = c.id
     where c.store_id = $1 and c.${ref.id !== undefined ? 'id' : 'external_id'} = $2`,
    [storeId, idOrExternal],
  );
  const row = res.rows[0];
  if (!row) throw notFound('Customer', idOrExternal);
  const windowDays = program?.tiers.windowDays ?? 365;
  const stats = await q.query<{ orders: number; rolling_orders: number; rolling_spend: number }>(
    `select count(*)::int as orders,
       count(*) filter (where placed_at >= $3)::int as rolling_orders,
       coalesce(sum(total_minor - refunded_minor) filter (where placed_at >= $3), 0)::bigint as rolling_spend
     from orders where store_id = $1 and customer_id = $2 and status <> 'cancelled'`,
    [storeId, row.id, new Date(now - windowDays * DAY_MS).toISOString()],
  );
  const scores = await q.query<{ rfm_segment: string; lifecycle_stage: string }>(
    'select rfm_segment, lifecycle_stage from customer_scores where store_id = $1 and customer_id = $2',
    [storeId, row.id],
  );
  const segments = [...row.tags];
  if (scores.rows[0]) segments.push(scores.rows[0].rfm_segment, scores.rows[0].lifecycle_stage);
  const ledger = await loadLedger(q, storeId, row.id);
  const s = stats.rows[0];
  return {
    customerId: row.id,
    tier: row.tier,
    segments,
    orderCount: s.orders,
    birthday:
      row.birthday === null
        ? null
        : { month: Number(row.birthday.slice(5, 7)), day: Number(row.birthday.slice(8, 10)) },
    promotionUses: await customerPromotionUses(q, storeId, row.id),
    availablePoints: ledgerBalance(ledger, now).available,
    rolling: { spendMinor: s.rolling_spend, orderCount: s.rolling_orders },
  };
}

/** Everything `evaluateCheckout` reads, from the store's data. */
export async function buildCheckoutInput(
  q: Queryable,
  storeId: string,
  body: CheckoutEvaluateInput,
  now: number,
): Promise<CheckoutInput> {
  const store = await q.query<{ timezone: string }>('select timezone from stores where id = $1', [storeId]);
  const program = await findProgram(q, storeId);
  const customer = await customerContext(q, storeId, body.customer, program, now);
  const skus = body.lines.flatMap((l) => (l.product_external_id === undefined && l.sku ? [l.sku] : []));
  const externals = body.lines.flatMap((l) => (l.product_external_id ? [l.product_external_id] : []));
  const products = await q.query<{ external_id: string; sku: string | null; category: string | null }>(
    `select external_id, sku, category from products
     where store_id = $1 and (external_id = any($2::text[]) or sku = any($3::text[]))`,
    [storeId, externals, skus],
  );
  const byExternal = new Map(products.rows.map((p) => [p.external_id, p]));
  const bySku = new Map(products.rows.filter((p) => p.sku !== null).map((p) => [p.sku as string, p]));
  const lines = body.lines.map((l, i) => {
    const p =
      l.product_external_id !== undefined
        ? byExternal.get(l.product_external_id)
        : bySku.get(l.sku as string);
    return {
      id: String(i),
      // Promotions name products by the store's own ids (external ids).
      productId: p?.external_id ?? l.product_external_id ?? (l.sku as string),
      sku: l.sku ?? p?.sku ?? null,
      categoryIds: p?.category ? [p.category] : [],
      quantity: l.quantity,
      unitPriceMinor: l.unit_price_minor,
    };
  });
  const { promotions, usage, codeRecords } = await loadCheckoutPromotions(q, storeId, body.codes);
  return {
    customer,
    currency: body.currency,
    channel: body.channel,
    lines,
    shippingMinor: body.shipping_minor,
    codes: body.codes,
    points: body.points,
    now,
    utcOffsetMinutes: utcOffsetMinutes(store.rows[0]?.timezone ?? 'UTC', now),
    promotions,
    usage,
    codeRecords,
    loyalty: program,
  };
}

/** The evaluation as the API returns it; line ids are the indexes of the request's lines. */
export function evaluationBody(e: CheckoutEvaluation): Record<string, unknown> {
  const { effects: _effects, ...rest } = e;
  return toApiShape(rest) as Record<string, unknown>;
}

export async function evaluateForStore(
  db: Queryable,
  storeId: string,
  body: CheckoutEvaluateInput,
  now: number,
): Promise<CheckoutEvaluation> {
  return evaluateCheckout(await buildCheckoutInput(db, storeId, body, now));
}

export interface CommitResult {
  duplicate: boolean;
  orderExternalId: string;
  state: 'committed' | 'cancelled';
  evaluation: unknown;
}

interface CommitRow {
  order_external_id: string;
  state: 'committed' | 'cancelled';
  evaluation: unknown;
}

async function findCommit(q: Queryable, storeId: string, order: string): Promise<CommitRow | null> {
  const res = await q.query<CommitRow>(
    'select order_external_id, state, evaluation from checkout_commits where store_id = $1 and order_external_id = $2',
    [storeId, order],
  );
  return res.rows[0] ?? null;
}

function duplicateOf(row: CommitRow): CommitResult {
  return {
    duplicate: true,
    orderExternalId: row.order_external_id,
    state: row.state,
    evaluation: row.evaluation,
  };
}

/** Effects in a fixed order (promotions by id, then codes, then points) so concurrent commits lock rows alike. */
function lockOrder(effects: readonly CheckoutEffect[]): CheckoutEffect[] {
  const rank = (e: CheckoutEffect) =>
    e.type === 'record_use' ? 0 : e.type === 'redeem_code' || e.type === 'debit_gift_card' ? 1 : 2;
  const key = (e: CheckoutEffect) =>
    e.type === 'record_use' ? e.promotionId : e.type === 'redeem_points' ? e.customerId : e.code;
  return [...effects].sort((a, b) => rank(a) - rank(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function pointsKey(storeId: string, order: string, what: 'redeem' | 'cancel'): string {
  return `checkout:${storeId}:${order}:${what}`;
}

async function applyEffect(
  q: Queryable,
  storeId: string,
  order: string,
  e: CheckoutEffect,
  now: number,
  path: string,
): Promise<void> {
  switch (e.type) {
    case 'record_use': {
      const upd = await q.query(
        `update promotions set uses = uses + 1, budget_spent_minor = budget_spent_minor + $3, updated_at = now()
         where store_id = $1 and id = $2 and status = 'active'
           and (max_uses is null or uses < max_uses)
           and (budget_minor is null or budget_spent_minor + $3 <= budget_minor)
         returning id`,
        [storeId, e.promotionId, e.discountMinor],
      );
      if (upd.rows.length === 0) {
        const cur = await q.query<{ status: string; uses: number; max_uses: number | null }>(
          'select status, uses, max_uses from promotions where store_id = $1 and id = $2',
          [storeId, e.promotionId],
        );
        const r = cur.rows[0];
        if (r?.status !== 'active') throw new CheckoutConflict('expired', path, 'The promotion has ended');
        if (r.max_uses !== null && r.uses >= r.max_uses)
          throw new CheckoutConflict('usage_limit_reached', path, 'The promotion has been used up');
        throw new CheckoutConflict('budget_exhausted', path, "The promotion's budget is spent");
      }
      if (e.customerId !== null) {
        const up = await q.query(
          `insert into promotion_customer_uses (store_id, promotion_id, customer_id, uses) values ($1, $2, $3, 1)
           on conflict (store_id, promotion_id, customer_id) do update set uses = promotion_customer_uses.uses + 1
           where $4::int is null or promotion_customer_uses.uses < $4::int
           returning uses`,
          [storeId, e.promotionId, e.customerId, e.maxUsesPerCustomer],
        );
        if (up.rows.length === 0)
          throw new CheckoutConflict(
            'usage_limit_reached',
            path,
            'The customer has used this promotion as often as allowed',
          );
      }
      return;
    }
    case 'redeem_code': {
      const upd = await q.query(
        `update promotion_codes set redeemed_at = $3 where store_id = $1 and code = $2 and redeemed_at is null returning code`,
        [storeId, e.code, new Date(now).toISOString()],
      );
      if (upd.rows.length === 0) throw new CheckoutConflict('code_used', path, 'The code has been used');
      return;
    }
    case 'debit_gift_card': {
      const upd = await q.query(
        `update promotion_codes set balance_minor = balance_minor - $3
         where store_id = $1 and code = $2 and balance_minor >= $3 returning code`,
        [storeId, e.code, e.amountMinor],
      );
      if (upd.rows.length === 0)
        throw new CheckoutConflict('gift_card_empty', path, "The gift card's balance is too low");
      return;
    }
    case 'redeem_points': {
      const state = await loadLedger(q, storeId, e.customerId, true);
      const decision = planLedgerOperation(state, {
        type: 'redeem',
        key: pointsKey(storeId, order, 'redeem'),
        orderId: order,
        points: e.points,
        at: now,
      });
      if (decision.type === 'rejected')
        throw new CheckoutConflict(
          'insufficient_points',
          'points',
          'The customer no longer has these points',
        );
      await applyLedgerDecision(q, storeId, decision);
      return;
    }
  }
}

/** Where an effect came from in the request, for the error's path. */
function effectPath(e: CheckoutEffect, body: CheckoutEvaluateInput): string {
  if (e.type === 'redeem_points') return 'points';
  const code = e.code;
  if (code === null) return 'promotions';
  const i = body.codes.findIndex((c) => normalizeCode(c) === code);
  return i >= 0 ? `codes[${i}]` : 'codes';
}

/**
 * Commits an order: evaluates the cart, refuses it when a typed code or the points were refused,
 * then applies every effect in one transaction. The same order again returns the first commit.
 */
export async function commitCheckout(
  db: Db,
  storeId: string,
  body: CheckoutCommitInput,
  now: number,
): Promise<CommitResult> {
  const order = body.order_external_id;
  const seen = await findCommit(db, storeId, order);
  if (seen) return duplicateOf(seen);
  const input = await buildCheckoutInput(db, storeId, body, now);
  const evaluation = evaluateCheckout(input);
  const refused = evaluation.rejectedCodes[0];
  if (refused) {
    const i = body.codes.indexOf(refused.code);
    throw new CheckoutConflict(refused.reason, i >= 0 ? `codes[${i}]` : 'codes', refused.message).toError();
  }
  if (evaluation.points.rejection)
    throw new CheckoutConflict(
      evaluation.points.rejection.reason,
      'points',
      `The points could not be used: ${evaluation.points.rejection.reason}`,
    ).toError();
  const shown = evaluationBody(evaluation);
  const customerId = await customerIdOf(db, storeId, body);
  try {
    return await db.tx(async (q) => {
      const ins = await q.query(
        `insert into checkout_commits (store_id, order_external_id, state, customer_id, effects, evaluation, committed_at)
         values ($1, $2, 'committed', $3, $4::jsonb, $5::jsonb, $6) on conflict do nothing returning order_external_id`,
        [
          storeId,
          order,
          customerId,
          JSON.stringify(evaluation.effects),
          JSON.stringify(shown),
          new Date(now).toISOString(),
        ],
      );
      if (ins.rows.length === 0) {
        // Another commit of this order won (it waited on that one's transaction to finish).
        const row = await findCommit(q, storeId, order);
        if (!row)
          throw new CheckoutConflict(
            'concurrent_commit',
            'order_external_id',
            'The order is being committed',
          );
        return duplicateOf(row);
      }
      for (const e of lockOrder(evaluation.effects))
        await applyEffect(q, storeId, order, e, now, effectPath(e, body));
      const toEarn = evaluation.points.toEarn?.points ?? 0;
      if (input.loyalty !== null && customerId !== null && toEarn > 0) {
        // The order's points, pending through the return window; keyed `earn:<order external id>`.
        const state = await loadLedger(q, storeId, customerId, true);
        const decision = planLedgerOperation(state, earnOperation(input.loyalty, order, toEarn, now));
        await applyLedgerDecision(q, storeId, decision);
      }
      return { duplicate: false, orderExternalId: order, state: 'committed' as const, evaluation: shown };
    });
  } catch (err) {
    if (err instanceof CheckoutConflict) throw err.toError();
    // Cannot happen under the per-customer lock; if it does, the points changed under us: refuse, never 500.
    if (err instanceof LedgerConflict)
      throw new CheckoutConflict('insufficient_points', 'points', err.message).toError();
    throw err;
  }
}

async function customerIdOf(
  q: Queryable,
  storeId: string,
  body: CheckoutEvaluateInput,
): Promise<string | null> {
  const ref = body.customer;
  if (ref === null) return null;
  const res = await q.query<{ id: string }>(
    `select id from customers where store_id = $1 and ${ref.id !== undefined ? 'id' : 'external_id'} = $2`,
    [storeId, ref.id ?? ref.external_id],
  );
  return res.rows[0]?.id ?? null;
}

/** Releases what a committed order took: uses, budget, per-customer uses, codes, gift card balance, points. */
export async function cancelCheckout(
  db: Db,
  storeId: string,
  order: string,
  now: number,
): Promise<CommitResult> {
  return db.tx(async (q) => {
    const res = await q.query<CommitRow & { effects: CheckoutEffect[]; customer_id: string | null }>(
      `select order_external_id, state, evaluation, effects, customer_id from checkout_commits
       where store_id = $1 and order_external_id = $2 for update`,
      [storeId, order],
    );
    const row = res.rows[0];
    if (!row) throw notFound('Checkout commit', order);
    if (row.state === 'cancelled') return duplicateOf(row);
    for (const e of lockOrder(row.effects)) {
      if (e.type === 'record_use') {
        await q.query(
          `update promotions set uses = greatest(uses - 1, 0),
             budget_spent_minor = greatest(budget_spent_minor - $3, 0), updated_at = now()
           where store_id = $1 and id = $2`,
          [storeId, e.promotionId, e.discountMinor],
        );
        if (e.customerId !== null)
          await q.query(
            `update promotion_customer_uses set uses = greatest(uses - 1, 0)
             where store_id = $1 and promotion_id = $2 and customer_id = $3`,
            [storeId, e.promotionId, e.customerId],
          );
      } else if (e.type === 'redeem_code') {
        await q.query('update promotion_codes set redeemed_at = null where store_id = $1 and code = $2', [
          storeId,
          e.code,
        ]);
      } else if (e.type === 'debit_gift_card') {
        await q.query(
          'update promotion_codes set balance_minor = balance_minor + $3 where store_id = $1 and code = $2',
          [storeId, e.code, e.amountMinor],
        );
      }
    }
    if (row.customer_id !== null) {
      // A full refund of the order in the ledger: redeemed points come back, earned ones are reversed.
      const program = await findProgram(q, storeId);
      const state = await loadLedger(q, storeId, row.customer_id, true);
      const expiryDays = program ? program.expiryDays : null;
      const decision = planLedgerOperation(state, {
        type: 'refund',
        key: pointsKey(storeId, order, 'cancel'),
        orderId: order,
        refundId: `cancel:${order}`,
        orderTotalMinor: 1,
        refundedTotalMinor: 1,
        at: now,
        returnedExpiresAt: expiryDays === null ? null : now + expiryDays * DAY_MS,
      });
      await applyLedgerDecision(q, storeId, decision);
    }
    await q.query(
      `update checkout_commits set state = 'cancelled', cancelled_at = $3 where store_id = $1 and order_external_id = $2`,
      [storeId, order, new Date(now).toISOString()],
    );
    return {
      duplicate: false,
      orderExternalId: order,
      state: 'cancelled' as const,
      evaluation: row.evaluation,
    };
  });
}
