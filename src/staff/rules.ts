import { ComebackError } from '../kernel/errors.ts';

/** Staff roles, from the most to the least access. */
export const STAFF_ROLES = ['owner', 'marketer', 'account_manager'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * What a role may do in the dashboard. The server checks these on every route; the UI only hides
 * what a role lacks.
 * - `analytics`: the store report (overview, cohorts, segments) and recomputing it.
 * - `customers:all`: every customer; without it, only the customers one manages.
 * - `settings`: store settings and staff users; `api_keys`: the store's API keys.
 * - `promotions`: promotions and their codes; `loyalty`: the loyalty program and points adjustments.
 * - `imports`: CSV imports of orders, customers and products, and their history.
 */
export const PERMISSIONS = [
  'analytics',
  'customers:all',
  'settings',
  'api_keys',
  'promotions',
  'loyalty',
  'imports',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<StaffRole, readonly Permission[]> = {
  owner: PERMISSIONS,
  marketer: ['analytics', 'customers:all', 'promotions', 'loyalty', 'imports'],
  account_manager: [],
};

/** @example can('marketer', 'settings') // false */
export function can(role: StaffRole, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function permissionsOf(role: StaffRole): Permission[] {
  return [...GRANTS[role]];
}

/**
 * Whether a staff member may see a customer: everyone with `customers:all`; an account manager only
 * the customers assigned to their email (compared case-insensitively).
 * @example canSeeCustomer({ role: 'account_manager', email: 'ana@shop.example' }, 'Ana@shop.example') // true
 */
export function canSeeCustomer(staff: { role: StaffRole; email: string }, accountManager: unknown): boolean {
  if (can(staff.role, 'customers:all')) return true;
  return (
    typeof accountManager === 'string' && accountManager.trim().toLowerCase() === staff.email.toLowerCase()
  );
}

/** Refuses (403) a customer whom another account manager looks after; see canSeeCustomer. */
export function assertCanSeeCustomer(
  staff: { role: StaffRole; email: string },
  accountManager: unknown,
): void {
  if (!canSeeCustomer(staff, accountManager))
    throw new ComebackError('FORBIDDEN', 'This customer is looked after by another account manager');
}
