import { type KeyboardEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { Permission } from '../types.ts';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  /** Shown only to roles with this permission. */
  needs?: Permission;
}

const icon = (d: string) => (
  <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
    <path
      d={d}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  </svg>
);

const NAV: NavItem[] = [
  {
    to: '/',
    label: 'Overview',
    icon: icon('M4 13h6V4H4zM14 20h6V11h-6zM4 20h6v-3H4zM14 7h6V4h-6z'),
    needs: 'analytics',
  },
  {
    to: '/cohorts',
    label: 'Cohorts',
    icon: icon('M4 4h16v16H4zM4 10h16M4 15h16M10 4v16M15 4v16'),
    needs: 'analytics',
  },
  {
    to: '/segments',
    label: 'Segments',
    icon: icon('M12 3a9 9 0 1 0 9 9h-9z M14 3.3A9 9 0 0 1 20.7 10H14z'),
    needs: 'analytics',
  },
  {
    to: '/customers',
    label: 'Customers',
    icon: icon(
      'M16 19v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M9.5 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM21 19v-1a4 4 0 0 0-3-3.9M15.5 4.1a3 3 0 0 1 0 5.8',
    ),
  },
  {
    to: '/call-list',
    label: 'Call list',
    icon: icon('M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2'),
  },
  {
    to: '/promotions',
    label: 'Promotions',
    icon: icon('M20.6 13.4l-7.2 7.2a2 2 0 0 1-2.8 0L3 13V3h10l7.6 7.6a2 2 0 0 1 0 2.8zM7.5 7.5h.01'),
    needs: 'promotions',
  },
  {
    to: '/loyalty',
    label: 'Loyalty',
    icon: icon('M12 3l2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9z'),
    needs: 'loyalty',
  },
  {
    to: '/imports',
    label: 'Imports',
    icon: icon('M12 3v12M7 10l5 5 5-5M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2'),
    needs: 'imports',
  },
  {
    to: '/settings',
    label: 'Settings',
    icon: icon(
      'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z',
    ),
    needs: 'settings',
  },
];

const ROLE_LABEL = { owner: 'Owner', marketer: 'Marketer', account_manager: 'Account manager' } as const;

function isCurrent(to: string, pathname: string): boolean {
  return to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`);
}

/** The frame of every signed-in page: a sidebar (a drawer on phones) and the page. */
export function Shell({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const { pathname } = useLocation();
  const [open, setOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const items = NAV.filter((i) => !i.needs || me.permissions.includes(i.needs));

  // A page change closes the phone menu.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation
  useEffect(() => setOpen(false), [pathname]);

  const onNavKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === 'Escape' && open) {
      setOpen(false);
      menuButton.current?.focus();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = [...e.currentTarget.querySelectorAll<HTMLAnchorElement>('a.nav-link')];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (at < 0) return;
    e.preventDefault();
    links[(at + (e.key === 'ArrowDown' ? 1 : links.length - 1)) % links.length].focus();
  };

  return (
    <div className={`shell ${open ? 'nav-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          Comeback
        </span>
        <button
          ref={menuButton}
          type="button"
          className="menu-button"
          aria-expanded={open}
          aria-controls="sidebar"
          onClick={() => setOpen((o) => !o)}
        >
          Menu
        </button>
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Main" onKeyDown={onNavKey}>
        <div className="sidebar-brand">
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <div>
            <div className="brand-name">Comeback</div>
            <div className="store-name">{me.store.name}</div>
          </div>
        </div>
        <ul className="nav-list">
          {items.map((item) => (
            <li key={item.to}>
              <Link
                to={item.to}
                className="nav-link"
                aria-current={isCurrent(item.to, pathname) ? 'page' : undefined}
              >
                {item.icon}
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="sidebar-user">
          <div className="user-email" title={me.user.email}>
            {me.user.email}
          </div>
          <div className="user-role">{ROLE_LABEL[me.user.role]}</div>
          <button type="button" className="button button-ghost-dark" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      {open ? (
        <button type="button" className="scrim" aria-label="Close menu" onClick={() => setOpen(false)} />
      ) : null}
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
