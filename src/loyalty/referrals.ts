/**
 * The referral program: a guard against self-referral (same customer, email, phone or address)
 * and the conversion rule: both sides are rewarded when the new customer's first order reaches
 * the minimum and has passed its return window without being refunded below it.
 */
import { DAY_MS } from '../kernel/time.ts';
import { bonusOperation } from './earn-rules.ts';
import type { LoyaltyProgram } from './program.ts';
import type { EpochMs, LedgerOperation, LoyaltyEvent } from './types.ts';

/** A postal address, as much of it as is known. */
export interface AddressLike {
  line1: string | null;
  postalCode: string | null;
  country: string | null;
}

/** One side of a referral. */
export interface ReferralParty {
  customerId: string;
  email: string | null;
  phone: string | null;
  address: AddressLike | null;
}

export type ReferralCheck =
  | { ok: true }
  | { ok: false; reason: 'self_referral'; matched: 'customer' | 'email' | 'phone' | 'address' }
  | { ok: false; reason: 'not_new_customer'; orderCount: number };

const PLUS_TAG = /\+[^@]*(?=@)/;
const DOTS = /\./g;
const NON_DIGITS = /\D/g;
const NON_ALNUM = /[^\p{L}\p{N}]+/gu;

/** Email as a mailbox: lower case, `+tag` removed, Gmail's ignored dots removed. */
export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase().replace(PLUS_TAG, '');
  const at = e.lastIndexOf('@');
  if (at < 0) return e;
  let local = e.slice(0, at);
  let domain = e.slice(at + 1);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(DOTS, '');
  return `${local}@${domain}`;
}

/** The last 9 digits of a phone number, so +49 151 … and 0151 … compare equal; null when too short to mean anything. */
export function normalizePhone(phone: string): string | null {
  const digits = phone.replace(NON_DIGITS, '');
  return digits.length < 6 ? null : digits.slice(-9);
}

/**
 * Street line and postal code, letters and digits only, upper case (which folds ß to SS, so
 * Straße and STRASSE compare equal); null without both.
 */
export function normalizeAddress(a: AddressLike): string | null {
  if (!a.line1 || !a.postalCode) return null;
  const norm = (s: string) => s.normalize('NFKC').toUpperCase().replace(NON_ALNUM, '');
  return `${norm(a.country ?? '')}|${norm(a.postalCode)}|${norm(a.line1)}`;
}

/**
 * Whether `referee` may be credited to `referrer`: not the same person by id, email, phone or
 * address, and a customer with no orders yet.
 */
export function checkReferral(
  referrer: ReferralParty,
  referee: ReferralParty,
  refereeOrderCount: number,
): ReferralCheck {
  if (referrer.customerId === referee.customerId)
    return { ok: false, reason: 'self_referral', matched: 'customer' };
  if (referrer.email && referee.email && normalizeEmail(referrer.email) === normalizeEmail(referee.email))
    return { ok: false, reason: 'self_referral', matched: 'email' };
  if (referrer.phone && referee.phone) {
    const a = normalizePhone(referrer.phone);
    if (a !== null && a === normalizePhone(referee.phone))
      return { ok: false, reason: 'self_referral', matched: 'phone' };
  }
  if (referrer.address && referee.address) {
    const a = normalizeAddress(referrer.address);
    if (a !== null && a === normalizeAddress(referee.address))
      return { ok: false, reason: 'self_referral', matched: 'address' };
  }
  if (refereeOrderCount > 0) return { ok: false, reason: 'not_new_customer', orderCount: refereeOrderCount };
  return { ok: true };
}

export interface Referral {
  id: string;
  referrerId: string;
  refereeId: string;
}

/** The referee's first order as it stands now. */
export interface FirstOrder {
  orderId: string;
  placedAt: EpochMs;
  totalMinor: number;
  refundedMinor: number;
}

/** A ledger operation for one customer. */
export interface CustomerOperation {
  customerId: string;
  operation: LedgerOperation;
}

export type ReferralConversion =
  | { type: 'wait'; until: EpochMs }
  | { type: 'rejected'; reason: 'order_below_minimum'; netMinor: number; minOrderMinor: number }
  | { type: 'converted'; operations: CustomerOperation[]; event: LoyaltyEvent };

/**
 * Whether a referral converts at `now`: the first order's amount net of refunds must reach the
 * minimum once the return window (the program's pending days) has passed. Bonuses are keyed
 * `bonus:referral:<referralId>:referrer|referee`, so converting twice credits once.
 */
export function referralConversion(
  program: LoyaltyProgram,
  referral: Referral,
  order: FirstOrder,
  now: EpochMs,
): ReferralConversion {
  const net = order.totalMinor - order.refundedMinor;
  const min = program.referral.minOrderMinor;
  if (net < min || net <= 0)
    return { type: 'rejected', reason: 'order_below_minimum', netMinor: net, minOrderMinor: min };
  const until = order.placedAt + program.pendingDays * DAY_MS;
  if (now < until) return { type: 'wait', until };
  const operations: CustomerOperation[] = [];
  const referrerOp = bonusOperation(
    program,
    'referral',
    `${referral.id}:referrer`,
    program.referral.referrerPoints,
    now,
  );
  if (referrerOp) operations.push({ customerId: referral.referrerId, operation: referrerOp });
  const refereeOp = bonusOperation(
    program,
    'referral',
    `${referral.id}:referee`,
    program.referral.refereePoints,
    now,
  );
  if (refereeOp) operations.push({ customerId: referral.refereeId, operation: refereeOp });
  return {
    type: 'converted',
    operations,
    event: {
      type: 'referral_converted',
      key: `referral_converted:${referral.id}`,
      referralId: referral.id,
      referrerId: referral.referrerId,
      refereeId: referral.refereeId,
      at: now,
      orderId: order.orderId,
    },
  };
}
