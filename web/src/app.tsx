import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { api, onSessionLost, setCsrfToken } from './api.ts';
import { Shell } from './components/layout.tsx';
import { EmptyState, Loading } from './components/ui.tsx';
import { CallListPage } from './pages/call-list.tsx';
import { CohortsPage } from './pages/cohorts.tsx';
import { CustomerPage } from './pages/customer.tsx';
import { CustomersPage } from './pages/customers.tsx';
import { ImportsPage } from './pages/imports.tsx';
import { LoginPage } from './pages/login.tsx';
import { LoyaltyPage } from './pages/loyalty.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { NewPromotionPage, PromotionPage, PromotionsPage } from './pages/promotions.tsx';
import { SegmentsPage } from './pages/segments.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { Link, matchPath, navigate, useLocation } from './router.tsx';
import { homeOf, type Session, SessionContext } from './session.tsx';
import type { Me, Permission } from './types.ts';

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Forbidden() {
  return (
    <EmptyState
      title="Not available for your role"
      action={
        <Link to="/customers" className="button">
          Go to customers
        </Link>
      }
    >
      <p>Ask the store owner if you need this page.</p>
    </EmptyState>
  );
}

function NotFound() {
  return (
    <EmptyState title="Page not found">
      <p>
        There is nothing at this address. <Link to="/">Go to the start</Link>.
      </p>
    </EmptyState>
  );
}

/** The page for a path, checking the role's permission (the server checks again). */
function route(pathname: string, me: Me): ReactNode {
  const can = (p: Permission) => me.permissions.includes(p);
  const guarded = (p: Permission, page: ReactNode) => (can(p) ? page : <Forbidden />);
  if (pathname === '/') return can('analytics') ? <OverviewPage /> : <Redirect to={homeOf(me)} />;
  if (pathname === '/cohorts') return guarded('analytics', <CohortsPage />);
  if (pathname === '/segments') return guarded('analytics', <SegmentsPage />);
  if (pathname === '/customers') return <CustomersPage />;
  if (pathname === '/call-list') return <CallListPage />;
  if (pathname === '/imports') return guarded('imports', <ImportsPage />);
  if (pathname === '/promotions') return guarded('promotions', <PromotionsPage />);
  if (pathname === '/promotions/new') return guarded('promotions', <NewPromotionPage />);
  const promotion = matchPath('/promotions/:id', pathname);
  if (promotion) return guarded('promotions', <PromotionPage key={promotion.id} id={promotion.id} />);
  if (pathname === '/loyalty') return guarded('loyalty', <LoyaltyPage />);
  if (pathname === '/settings') return guarded('settings', <SettingsPage />);
  const customer = matchPath('/customers/:id', pathname);
  if (customer) return <CustomerPage key={customer.id} id={customer.id} />;
  return <NotFound />;
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  const { pathname, search } = useLocation();

  const signedIn = useCallback((m: Me) => {
    setCsrfToken(m.csrf_token);
    setMe(m);
  }, []);

  useEffect(() => {
    onSessionLost(() => setMe(null));
    api<({ signed_in: true } & Me) | { signed_in: false }>('/app/api/session')
      .then((s) => (s.signed_in ? signedIn(s) : setMe(null)))
      .catch(() => setMe(null))
      .finally(() => setChecked(true));
  }, [signedIn]);

  const session = useMemo<Session | null>(
    () =>
      me && {
        me,
        signOut: async () => {
          await api('/app/api/logout', { method: 'POST' }).catch(() => {});
          setMe(null);
          navigate('/login');
        },
      },
    [me],
  );

  if (!checked) return <Loading label="Opening Comeback" />;
  if (!session) {
    if (pathname !== '/login') {
      const next =
        pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + (search.size ? `?${search}` : ''))}`;
      return <Redirect to={`/login${next}`} />;
    }
    return (
      <LoginPage
        onSignedIn={(m) => {
          signedIn(m);
          const next = search.get('next');
          navigate(next?.startsWith('/') && !next.startsWith('//') ? next : homeOf(m), { replace: true });
        }}
      />
    );
  }
  if (pathname === '/login') return <Redirect to={homeOf(session.me)} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell>{route(pathname, session.me)}</Shell>
    </SessionContext.Provider>
  );
}
