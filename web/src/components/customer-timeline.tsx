import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { fmtInt, fmtMoneyMinor } from '../format.ts';
import type { Tone } from '../meaning.ts';
import type { CallOutcome } from '../operations-types.ts';
import { useSession } from '../session.tsx';
import { OUTCOMES } from './call-outcomes.tsx';
import { Badge, Card, ErrorState, Loading } from './ui.tsx';
import '../timeline.css';

type Kind = 'order' | 'points' | 'reward' | 'call';

interface OrderDetail {
  external_id: string;
  currency: string;
  total_minor: number;
  refunded_minor: number;
  status: string;
  line_count: number;
  discount_codes: string[];
}
interface PointsDetail {
  entry_kind: string;
  points: number;
  order_id: string | null;
  reason: string | null;
  source: { type: string; userId?: string; rule?: string } | null;
}
interface RewardDetail {
  code: string;
  promotion_id: string;
  promotion_name: string | null;
  redeemed_at: string | null;
  expires_at: string | null;
  balance_minor: number | null;
  gift_card: boolean;
}
interface CallDetail {
  outcome: CallOutcome;
  note: string;
  called_by: string | null;
  source: 'dashboard' | 'api';
}

type Item = { id: string; at: string } & (
  | { kind: 'order'; detail: OrderDetail }
  | { kind: 'points'; detail: PointsDetail }
  | { kind: 'reward'; detail: RewardDetail }
  | { kind: 'call'; detail: CallDetail }
);

interface Page {
  data: Item[];
  next_before: string | null;
  kinds: Kind[];
}

/** Each kind's badge, and its plural for the card's subtitle. */
const KIND: Record<Kind, { label: string; plural: string; icon: string; tone: Tone }> = {
  order: { label: 'Order', plural: 'orders', icon: '🛍', tone: 'info' },
  points: { label: 'Points', plural: 'points', icon: '★', tone: 'good' },
  reward: { label: 'Reward', plural: 'rewards', icon: '🎁', tone: 'warn' },
  call: { label: 'Call', plural: 'calls', icon: '☎', tone: 'muted' },
};

/** Dates and times in the reader's own locale (the browser's), not the dashboard's fixed one. */
const localDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const localDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const when = (iso: string) => localDateTime.format(new Date(iso));
const day = (iso: string) => localDate.format(new Date(iso));

const PAGE = 50;

/**
 * The customer 360 page's timeline: orders, loyalty points, rewards (personal codes and
 * certificates) and calls with their notes in one list, newest first; "Show older" asks for the next
 * page. The server leaves out what the role may not see (points and codes for account managers).
 */
export function TimelineCard({ customerId }: { customerId: string }) {
  const [items, setItems] = useState<Item[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [kinds, setKinds] = useState<Kind[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const base = `/app/api/customers/${encodeURIComponent(customerId)}/timeline?limit=${PAGE}`;

  const load = useCallback(
    async (before: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api<Page>(before ? `${base}&before=${encodeURIComponent(before)}` : base);
        setItems((prev) => (before ? [...prev, ...page.data] : page.data));
        setNext(page.next_before);
        setKinds(page.kinds);
      } catch (e) {
        setError(e as Error);
      } finally {
        setLoading(false);
      }
    },
    [base],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const what = kinds.map((k) => KIND[k].plural).join(', ');
  return (
    <Card
      title="Timeline"
      subtitle={
        kinds.length ? `Everything that happened with this customer, newest first: ${what}.` : undefined
      }
      className="customer-timeline"
    >
      {items.length === 0 && loading ? <Loading label="Loading the timeline" /> : null}
      {items.length === 0 && !loading && !error ? (
        <p className="muted" data-testid="timeline-empty">
          Nothing yet: orders, points, rewards and calls show here as they happen.
        </p>
      ) : null}
      {items.length ? (
        <ol className="timeline" data-testid="timeline">
          {items.map((item) => (
            <li key={`${item.kind}:${item.id}`} className="timeline-item" data-kind={item.kind}>
              <div className="timeline-date">
                <time dateTime={item.at}>{when(item.at)}</time>
              </div>
              <div className="timeline-body">
                <div className="timeline-head">
                  <span className={`timeline-icon timeline-icon-${item.kind}`} aria-hidden="true">
                    {KIND[item.kind].icon}
                  </span>
                  <Badge tone={KIND[item.kind].tone}>{KIND[item.kind].label}</Badge>
                  <Line item={item} />
                </div>
              </div>
            </li>
          ))}
        </ol>
      ) : null}
      {error ? <ErrorState error={error} retry={() => void load(items.length ? next : null)} /> : null}
      {next && !error ? (
        <p>
          <button type="button" className="button" disabled={loading} onClick={() => void load(next)}>
            {loading ? 'Loading…' : 'Show older'}
          </button>
        </p>
      ) : null}
    </Card>
  );
}

function Line({ item }: { item: Item }) {
  const { me } = useSession();
  switch (item.kind) {
    case 'order': {
      const o = item.detail;
      const currency = o.currency || me.store.currency;
      return (
        <>
          <span>
            Ordered <strong>{fmtMoneyMinor(o.total_minor, currency)}</strong> — order #{o.external_id}
            {o.line_count ? <span className="muted"> · {plural(o.line_count, 'item')}</span> : null}
          </span>
          {o.status !== 'paid' && o.status !== 'fulfilled' ? (
            <Badge tone={o.status.includes('refund') || o.status === 'cancelled' ? 'warn' : 'muted'}>
              {o.status.replace(/_/g, ' ')}
            </Badge>
          ) : null}
          {o.refunded_minor > 0 ? (
            <span className="muted">{fmtMoneyMinor(o.refunded_minor, currency)} refunded</span>
          ) : null}
          {o.discount_codes.map((d) => (
            <Badge key={d} tone="info">
              {d}
            </Badge>
          ))}
        </>
      );
    }
    case 'points': {
      const p = item.detail;
      const who = whoChangedPoints(p.source);
      return (
        <span>
          <span className={p.points >= 0 ? 'timeline-points-pos' : 'timeline-points-neg'}>
            {pointsWords(p)}
          </span>
          {p.order_id ? ` — order #${p.order_id}` : ''}
          {p.reason && p.reason !== `Order #${p.order_id}` ? (
            <span className="muted"> · {p.reason}</span>
          ) : null}
          {who ? <span className="muted"> · {who}</span> : null}
        </span>
      );
    }
    case 'reward': {
      const r = item.detail;
      return (
        <span>
          {r.gift_card ? 'Gift card' : 'Personal code'} <code>{r.code}</code>
          {` — ${r.promotion_name ?? r.promotion_id}`}
          {r.gift_card && r.balance_minor != null
            ? ` · ${fmtMoneyMinor(r.balance_minor, me.store.currency)} left`
            : ''}
          <span className="muted">
            {r.redeemed_at
              ? ` · used ${day(r.redeemed_at)}`
              : r.expires_at
                ? ` · ${Date.parse(r.expires_at) < Date.now() ? 'expired' : 'valid until'} ${day(r.expires_at)}`
                : ' · not used yet'}
          </span>
        </span>
      );
    }
    case 'call': {
      const c = item.detail;
      const outcome = OUTCOMES.find((o) => o.value === c.outcome)?.label ?? c.outcome;
      return (
        <span>
          Called: {outcome.toLowerCase()}
          {c.note ? <> — “{c.note}”</> : null}
          {c.called_by ? <span className="muted"> · by {c.called_by}</span> : null}
          {c.source === 'api' ? <span className="muted"> · from the CRM</span> : null}
        </span>
      );
    }
  }
}

function plural(n: number, word: string): string {
  return `${fmtInt(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** "Earned 120 points", "Spent 200 points", "50 points expired" … */
function pointsWords(p: PointsDetail): string {
  const n = plural(Math.abs(p.points), 'point');
  switch (p.entry_kind) {
    case 'earn':
      return `Earned ${n}`;
    case 'bonus':
      return `Bonus of ${n}`;
    case 'redeem':
      return `Spent ${n}`;
    case 'reverse_earn':
      return `${n} taken back (refund)`;
    case 'return_redeemed':
      return `${n} given back (refund)`;
    case 'expire':
      return `${n} expired`;
    case 'adjust_credit':
      return `${n} added by hand`;
    case 'adjust_debit':
      return `${n} removed by hand`;
    default:
      return `${p.points > 0 ? '+' : '−'}${n}`;
  }
}

function whoChangedPoints(source: PointsDetail['source']): string | null {
  if (!source) return null;
  if (source.type === 'staff') return `by ${source.userId}`;
  if (source.type === 'rule') return `${source.rule} rule`;
  if (source.type === 'system') return 'automatically';
  return null;
}
