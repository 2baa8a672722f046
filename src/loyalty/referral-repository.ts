/**
 * Referrals' database shell: customers' referral codes (drawn on first ask), the parties a
 * referral is checked on (`checkReferral`), and the referrals recorded.
 */

import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/client.ts';
import { ComebackError } from '../kernel/errors.ts';
import { generateCodes } from '../promotions/codes.ts';
import type { ReferralParty } from './referrals.ts';

/** A customer's referral code, created on first ask (unique in the store). */
export async function referralCode(q: Queryable, storeId: string, customerId: string): Promise<string> {
  for (let round = 0; round < 5; round++) {
    const seen = await q.query<{ code: string }>(
      'select code from referral_codes where store_id = $1 and customer_id = $2',
      [storeId, customerId],
    );
    if (seen.rows[0]) return seen.rows[0].code;
    const gen = generateCodes({ count: 1, length: 8, randomBytes: (n) => new Uint8Array(randomBytes(n)) });
    if (gen.type !== 'generated') continue;
    await q.query(
      `insert into referral_codes (store_id, code, customer_id) values ($1, $2, $3) on conflict do nothing`,
      [storeId, gen.codes[0], customerId],
    );
  }
  throw new ComebackError('CONFLICT', 'Could not draw a referral code; try again');
}

/** The customer whose referral code this is (normalised), if any. */
export async function referralCodeOwner(q: Queryable, storeId: string, code: string): Promise<string | null> {
  const res = await q.query<{ customer_id: string }>(
    'select customer_id from referral_codes where store_id = $1 and code = $2',
    [storeId, code],
  );
  return res.rows[0]?.customer_id ?? null;
}

/** What a referral is checked on: the customer's email, phone and postal address. */
export async function referralParty(
  q: Queryable,
  storeId: string,
  customerId: string,
): Promise<ReferralParty> {
  const res = await q.query<{
    email: string | null;
    phone: string | null;
    address: { line1: string; postal_code: string | null; country: string | null } | null;
  }>('select email, phone, address from customers where store_id = $1 and id = $2', [storeId, customerId]);
  const r = res.rows[0];
  const a = r?.address ?? null;
  return {
    customerId,
    email: r?.email ?? null,
    phone: r?.phone ?? null,
    address: a === null ? null : { line1: a.line1, postalCode: a.postal_code, country: a.country },
  };
}

/** The customer's orders that were not cancelled: a referred customer must have none. */
export async function ordersPlaced(q: Queryable, storeId: string, customerId: string): Promise<number> {
  const res = await q.query<{ n: number }>(
    `select count(*)::int as n from orders where store_id = $1 and customer_id = $2 and status <> 'cancelled'`,
    [storeId, customerId],
  );
  return res.rows[0].n;
}

/** Records a referral; false when the customer was referred already (one referral each). */
export async function insertReferral(
  q: Queryable,
  storeId: string,
  r: { id: string; referrerId: string; refereeId: string; code: string },
): Promise<boolean> {
  const ins = await q.query(
    `insert into referrals (store_id, id, referrer_id, referee_id, code) values ($1, $2, $3, $4, $5)
     on conflict (store_id, referee_id) do nothing returning id`,
    [storeId, r.id, r.referrerId, r.refereeId, r.code],
  );
  return ins.rows.length > 0;
}

/** The referrals a customer made, oldest first. */
export async function referralsMadeBy(q: Queryable, storeId: string, referrerId: string) {
  const res = await q.query(
    `select id, referee_id, status, reason, created_at, decided_at from referrals
     where store_id = $1 and referrer_id = $2 order by id`,
    [storeId, referrerId],
  );
  return res.rows;
}
