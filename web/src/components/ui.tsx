import type { ReactNode } from 'react';
import type { Tone } from '../meaning.ts';
import { Link } from '../router.tsx';

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function Card({
  title,
  subtitle,
  children,
  className = '',
  actions,
}: {
  title?: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
  className?: string;
  actions?: ReactNode;
}) {
  return (
    <section className={`card ${className}`}>
      {title ? (
        <div className="card-head">
          <div>
            <h2>{title}</h2>
            {subtitle ? <p className="card-subtitle">{subtitle}</p> : null}
          </div>
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function Badge({ tone = 'muted', children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** A headline number with its meaning in plain words. */
export function Kpi({
  label,
  value,
  meaning,
  detail,
  to,
  tone,
  testId,
}: {
  label: string;
  value: string;
  meaning: string;
  detail?: ReactNode;
  to?: string;
  tone?: Tone;
  testId?: string;
}) {
  const body = (
    <>
      <div className="kpi-label">{label}</div>
      <div className={`kpi-value ${tone ? `tone-${tone}` : ''}`} data-testid={testId}>
        {value}
      </div>
      <p className="kpi-meaning">{meaning}</p>
      {detail ? <div className="kpi-detail">{detail}</div> : null}
    </>
  );
  return to ? (
    <Link to={to} className="card kpi kpi-link">
      {body}
    </Link>
  ) : (
    <div className="card kpi">{body}</div>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}…
    </div>
  );
}

export function ErrorState({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <h2>Something went wrong</h2>
      <p>{error.message}</p>
      {retry ? (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state">
      <h2>{title}</h2>
      <div className="state-text">{children}</div>
      {action ? <div className="state-action">{action}</div> : null}
    </div>
  );
}

/** An indeterminate progress bar for work whose length is unknown. */
export function Working({ label, detail }: { label: string; detail?: ReactNode }) {
  return (
    <div className="working" role="status" aria-live="polite">
      <div className="working-label">
        <span className="spinner" aria-hidden="true" />
        {label}
      </div>
      <div className="progress" role="progressbar" aria-label={label} aria-busy="true">
        <span />
      </div>
      {detail ? <p className="working-detail">{detail}</p> : null}
    </div>
  );
}

/** A 0–1 share as a small bar and a percentage. */
export function ShareBar({ value, tone = 'info' }: { value: number | null; tone?: Tone }) {
  const pct = value == null ? 0 : Math.max(0, Math.min(1, value)) * 100;
  return (
    <span className="sharebar" aria-hidden="true">
      <span className={`sharebar-fill tone-bg-${tone}`} style={{ width: `${pct}%` }} />
    </span>
  );
}
