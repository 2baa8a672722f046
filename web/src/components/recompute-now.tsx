import { useState } from 'react';
import { api } from '../api.ts';
import { useApi } from '../hooks.ts';
import type { AnalyticsResponse } from '../types.ts';
import { FormError } from './form.tsx';
import { Working } from './ui.tsx';

/**
 * "Recompute now" after a change that affects the scores, then the computation's steps while it
 * runs (polled from /app/api/analytics), then "done".
 */
export function RecomputeNow({ reason }: { reason: string }) {
  const [state, setState] = useState<'offered' | 'running' | 'done' | 'failed'>('offered');
  const [error, setError] = useState<string | null>(null);
  const [after, setAfter] = useState<string | null>(null);
  const analytics = useApi<AnalyticsResponse>(state === 'running' ? '/app/api/analytics' : null, {
    pollMs: 1000,
    poll: (d) => {
      const finished = d.latest && d.latest.id !== after && !d.running;
      if (finished) setState('done');
      return !finished;
    },
  });
  const start = async () => {
    setError(null);
    try {
      const before = await api<AnalyticsResponse>('/app/api/analytics');
      setAfter(before.latest?.id ?? null);
      await api('/app/api/analytics/recompute', { method: 'POST' });
      // Polling starts now, on the queued run (no fetch before the run exists).
      setState('running');
    } catch (e) {
      setState('failed');
      setError((e as Error).message);
    }
  };
  if (state === 'done') {
    return (
      <p className="notice" role="status">
        The scores were recomputed with the new settings.
      </p>
    );
  }
  if (state === 'running') {
    const step = analytics.data?.running?.progress;
    return (
      <div className="banner">
        <Working
          label="Recomputing the scores"
          detail={<span data-testid="recompute-step">{step ? `Now: ${step}.` : 'Starting…'}</span>}
        />
      </div>
    );
  }
  return (
    <div className="banner" role="status">
      <p>{reason}</p>
      <FormError message={error} />
      <button type="button" className="button button-primary" onClick={() => void start()}>
        Recompute now
      </button>
    </div>
  );
}
