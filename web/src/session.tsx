import { createContext, useContext } from 'react';
import type { Me, Permission } from './types.ts';

export interface Session {
  me: Me;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

export function useCan(permission: Permission): boolean {
  return useSession().me.permissions.includes(permission);
}

/** Where a role starts: the overview for those who see the report, the call list for account managers. */
export function homeOf(me: Me): string {
  return me.permissions.includes('analytics') ? '/' : '/call-list';
}
