/**
 * The Nth-purchase certificate: after the 5th, 10th … order (every `certificate.every`), a
 * personal coupon code of the program's certificate promotion is issued to the customer.
 */
import { DAY_MS } from '../kernel/time.ts';
import type { LoyaltyProgram } from './program.ts';
import type { EpochMs, LoyaltyEvent } from './types.ts';

/** A code to create, bound to one customer, and the event announcing it. */
export interface CertificateIssue {
  /** `certificate:<customerId>:<orderNumber>`: the repository's unique key, so it is issued once. */
  key: string;
  customerId: string;
  promotionId: string;
  code: string;
  orderNumber: number;
  expiresAt: EpochMs | null;
  event: LoyaltyEvent;
}

/**
 * The certificate due when the customer's order count reaches `orderNumber`, or null. `newCode`
 * makes a fresh code (e.g. one of promotions' `generateCodes`), called only when one is due.
 * Only the count just reached is looked at, so a history import does not issue a backlog.
 */
export function certificateDue(
  program: LoyaltyProgram,
  customerId: string,
  orderNumber: number,
  now: EpochMs,
  newCode: () => string,
): CertificateIssue | null {
  const c = program.certificate;
  if (c === null || orderNumber <= 0 || orderNumber % c.every !== 0) return null;
  const key = `certificate:${customerId}:${orderNumber}`;
  const code = newCode();
  const expiresAt = c.validDays === null ? null : now + c.validDays * DAY_MS;
  return {
    key,
    customerId,
    promotionId: c.promotionId,
    code,
    orderNumber,
    expiresAt,
    event: {
      type: 'certificate_issued',
      key: `certificate_issued:${customerId}:${orderNumber}`,
      customerId,
      at: now,
      orderNumber,
      promotionId: c.promotionId,
      code,
      expiresAt,
    },
  };
}
