import { describe, expect, it } from 'vitest';
import { can, canSeeCustomer, permissionsOf } from './rules.ts';

describe('staff roles', () => {
  it('gives owners everything, marketers promotions, loyalty and imports but no settings or API keys, account managers none of these', () => {
    expect(permissionsOf('owner')).toEqual([
      'analytics',
      'customers:all',
      'settings',
      'api_keys',
      'promotions',
      'loyalty',
      'imports',
    ]);
    expect(can('marketer', 'analytics')).toBe(true);
    expect(can('marketer', 'promotions')).toBe(true);
    expect(can('marketer', 'loyalty')).toBe(true);
    expect(can('marketer', 'imports')).toBe(true);
    expect(can('account_manager', 'imports')).toBe(false);
    expect(can('account_manager', 'promotions')).toBe(false);
    expect(can('marketer', 'settings')).toBe(false);
    expect(can('marketer', 'api_keys')).toBe(false);
    expect(permissionsOf('account_manager')).toEqual([]);
  });

  it('lets an account manager see only customers assigned to their email, ignoring case and spaces', () => {
    const am = { role: 'account_manager' as const, email: 'ana@shop.example' };
    expect(canSeeCustomer(am, ' Ana@Shop.example ')).toBe(true);
    expect(canSeeCustomer(am, 'bob@shop.example')).toBe(false);
    expect(canSeeCustomer(am, null)).toBe(false);
    expect(canSeeCustomer({ role: 'marketer', email: 'm@shop.example' }, null)).toBe(true);
  });
});
