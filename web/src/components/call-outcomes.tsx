import { type FormEvent, useId, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { fmtDateTime, fmtRelative } from '../format.ts';
import { useApi } from '../hooks.ts';
import type { Tone } from '../meaning.ts';
import type { CallOutcome, CallRecord } from '../operations-types.ts';
import { FormError } from './form.tsx';
import { Badge, Card, ErrorState, Loading } from './ui.tsx';
import '../operations.css';

/** The outcomes in the order offered, with their words and colour. */
export const OUTCOMES: Array<{ value: CallOutcome; label: string; tone: Tone }> = [
  { value: 'reached', label: 'Reached', tone: 'good' },
  { value: 'no_answer', label: 'No answer', tone: 'muted' },
  { value: 'problem_found', label: 'Problem found', tone: 'bad' },
  { value: 'order_promised', label: 'Order promised', tone: 'info' },
];

export function OutcomeBadge({ outcome }: { outcome: CallOutcome }) {
  const o = OUTCOMES.find((x) => x.value === outcome);
  return <Badge tone={o?.tone ?? 'muted'}>{o?.label ?? outcome}</Badge>;
}

/** The form to log a call: the outcome (radio buttons) and a note. */
export function CallLogForm({
  customerId,
  onLogged,
  onCancel,
}: {
  customerId: string;
  onLogged: (call: CallRecord) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const [outcome, setOutcome] = useState<CallOutcome | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!outcome) {
      setError('Choose what came of the call.');
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const call = await api<CallRecord>(`/app/api/customers/${encodeURIComponent(customerId)}/calls`, {
        method: 'POST',
        body: { outcome, note },
      });
      setOutcome(null);
      setNote('');
      onLogged(call);
    } catch (err) {
      const details = err instanceof ApiError ? err.details.map((d) => `${d.path}: ${d.message}`) : [];
      setError([(err as Error).message, ...details].join(' · '));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form className="call-form" onSubmit={submit} aria-label="Log a call">
      <fieldset className="outcome-choices">
        <legend>Outcome of the call</legend>
        {OUTCOMES.map((o) => (
          <label key={o.value} className="outcome-choice">
            <input
              type="radio"
              name={`${id}-outcome`}
              value={o.value}
              checked={outcome === o.value}
              onChange={() => setOutcome(o.value)}
            />
            {o.label}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-note`}>Note</label>
        <textarea
          id={`${id}-note`}
          rows={2}
          maxLength={2000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="What did they say? What happens next?"
        />
      </div>
      <FormError message={error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save call'}
        </button>
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** The 360 page's calls: the history, newest first, and the form to log one. */
export function CallsCard({ customerId, onLogged }: { customerId: string; onLogged?: () => void }) {
  const calls = useApi<{ data: CallRecord[] }>(`/app/api/customers/${encodeURIComponent(customerId)}/calls`);
  return (
    <Card
      title="Calls"
      subtitle="Every call logged by the team or a connected CRM, newest first. Entries are never changed: log a new one to correct."
    >
      <CallLogForm
        customerId={customerId}
        onLogged={() => {
          calls.reload();
          onLogged?.();
        }}
      />
      {calls.error ? (
        <ErrorState error={calls.error} retry={calls.reload} />
      ) : !calls.data ? (
        <Loading label="Loading calls" />
      ) : calls.data.data.length === 0 ? (
        <p className="muted">No calls logged yet.</p>
      ) : (
        <ol className="timeline" data-testid="calls">
          {calls.data.data.map((c) => (
            <li key={c.id} className="timeline-item">
              <div className="timeline-date">
                <time dateTime={c.called_at}>{fmtDateTime(c.called_at)}</time>
              </div>
              <div className="timeline-body">
                <div className="timeline-head">
                  <OutcomeBadge outcome={c.outcome} />
                  <span className="muted">
                    {c.called_by ?? 'unknown caller'}
                    {c.source === 'api' ? ' · via the API' : ''} · {fmtRelative(c.called_at)}
                  </span>
                </div>
                {c.note ? <div className="timeline-lines">{c.note}</div> : null}
              </div>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
