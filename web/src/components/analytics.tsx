import { type ReactNode, useState } from 'react';
import { api } from '../api.ts';
import { count, fmtDate, fmtRelative } from '../format.ts';
import { useApi } from '../hooks.ts';
import { useSession } from '../session.tsx';
import type { AnalyticsResponse, Report } from '../types.ts';
import { EmptyState, ErrorState, Loading, Working } from './ui.tsx';

/**
 * The store report for a page, with every state around it: no orders yet (the demo still loading,
 * or nothing imported), no report yet (a button to compute it), a computation running (progress),
 * and a recompute button once there is one.
 */
export function WithReport({ children }: { children: (report: Report, toolbar: ReactNode) => ReactNode }) {
  const { me } = useSession();
  /** A recompute asked for here: when, and the latest and failed runs then (a new one of either ends the wait). */
  const [requested, setRequested] = useState<{
    at: number;
    after: string | null;
    failedBefore: string | null;
  } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const analytics = useApi<AnalyticsResponse>('/app/api/analytics', {
    pollMs: 2000,
    poll: (d) => {
      if (requested && d.failed && d.failed.id !== requested.failedBefore) {
        setRequested(null);
        setFailure(
          `The computation failed: ${d.failed.error ?? 'no reason given'}. Try again, or see the server log.`,
        );
        return false;
      }
      const waiting = requested !== null && (d.latest?.id ?? null) === requested.after;
      if (requested && !waiting) setRequested(null);
      return waiting || d.running !== null || d.latest === null;
    },
  });
  const d = analytics.data;
  if (!d) {
    if (analytics.error) return <ErrorState error={analytics.error} retry={analytics.reload} />;
    return <Loading label="Loading the report" />;
  }

  const compute = async () => {
    setFailure(null);
    setRequested({ at: Date.now(), after: d.latest?.id ?? null, failedBefore: d.failed?.id ?? null });
    try {
      await api('/app/api/analytics/recompute', { method: 'POST' });
      analytics.reload();
    } catch (e) {
      setRequested(null);
      setFailure((e as Error).message);
    }
  };
  const busy = requested !== null || d.running !== null;
  const since = d.running?.started_at ?? (requested ? new Date(requested.at).toISOString() : null);
  const progress = busy ? (
    <Working
      label="Computing the report"
      detail={
        <>
          {d.running?.progress ? <span data-testid="score-step">Now: {d.running.progress}. </span> : null}
          Started {fmtRelative(since)}. Models are fitted on every customer's orders; large stores take a
          minute or two. This page updates by itself.
        </>
      }
    />
  ) : null;
  const error = failure ? (
    <p className="form-error" role="alert">
      {failure}
    </p>
  ) : null;

  if (!d.latest) {
    const counts = d.counts ?? { customers: 0, orders: 0 };
    if (counts.orders === 0) {
      return (
        <EmptyState title="No orders yet">
          <p>
            The report needs your order history.{' '}
            {me.store.slug === 'demo' ? 'The demo store is still loading: ' : ''}
            {count(counts.customers, 'customer')} and {count(counts.orders, 'order')} so far.
          </p>
          <p>
            Import a CSV export with{' '}
            <code>npx comeback import orders orders.csv --store {me.store.slug}</code>, or send orders to the
            API (<a href="/docs">API reference</a>). This page updates by itself.
          </p>
        </EmptyState>
      );
    }
    return (
      <EmptyState
        title={busy ? 'Your first report is on its way' : 'No analytics yet'}
        action={
          busy ? (
            progress
          ) : (
            <button type="button" className="button button-primary" onClick={() => void compute()}>
              Compute now
            </button>
          )
        }
      >
        <p>
          {count(counts.customers, 'customer')} and {count(counts.orders, 'order')} are in. The report
          (retention, segments, predictions per customer) is computed nightly and whenever you ask.
        </p>
        {error ??
          (d.failed && !busy ? (
            <p className="form-error" role="alert">
              The last computation failed: {d.failed.error ?? 'no reason given'}.
            </p>
          ) : null)}
      </EmptyState>
    );
  }

  const report = d.latest.report;
  const toolbar = (
    <div className="report-toolbar">
      <span className="muted">
        Data as of {fmtDate(report.summary.asOf)} · computed{' '}
        {fmtRelative(d.latest.finished_at ?? d.latest.started_at)}
      </span>
      <button type="button" className="button" onClick={() => void compute()} disabled={busy}>
        {busy ? 'Computing…' : 'Recompute'}
      </button>
    </div>
  );
  return (
    <>
      {busy ? <div className="banner">{progress}</div> : null}
      {error}
      {children(report, toolbar)}
    </>
  );
}
