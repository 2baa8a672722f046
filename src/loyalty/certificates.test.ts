import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../kernel/time.ts';
import { certificateDue } from './certificates.ts';
import { LoyaltyProgram } from './program.ts';

const T = Date.UTC(2025, 3, 1);

describe('certificateDue', () => {
  const program = LoyaltyProgram.parse({ currency: 'EUR', certificate: { promotionId: 'promo_cert' } });
  it('issues a personal code after the 5th, 10th … order, valid 60 days by default', () => {
    let made = 0;
    const newCode = () => `CODE${++made}`;
    const due = [1, 2, 3, 4, 5, 6, 9, 10, 11].map(
      (n) => certificateDue(program, 'c', n, T, newCode)?.orderNumber ?? null,
    );
    expect(due).toEqual([null, null, null, null, 5, null, null, 10, null]);
    expect(made).toBe(2);
    expect(certificateDue(program, 'c', 15, T, () => 'ABC')).toMatchObject({
      key: 'certificate:c:15',
      promotionId: 'promo_cert',
      code: 'ABC',
      expiresAt: T + 60 * DAY_MS,
      event: { type: 'certificate_issued', orderNumber: 15, code: 'ABC' },
    });
  });
  it('issues nothing when the program has no certificate', () => {
    expect(certificateDue(LoyaltyProgram.parse({ currency: 'EUR' }), 'c', 5, T, () => 'X')).toBeNull();
  });
});
