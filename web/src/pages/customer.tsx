import { useMemo, useState } from 'react';
import { CallsCard } from '../components/call-outcomes.tsx';
import { Chart } from '../components/chart.tsx';
import { PointsCard } from '../components/customer-points.tsx';
import { TimelineCard } from '../components/customer-timeline.tsx';
import { Badge, Card, EmptyState, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import {
  addressLines,
  count,
  fmtDate,
  fmtDateTime,
  fmtInt,
  fmtMoneyMinor,
  fmtNumber,
  fmtPercent,
  fmtRelative,
  fullName,
  minorDigits,
} from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { SEGMENT_INFO, stageInfo } from '../meaning.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { Consent, Customer360, Order } from '../types.ts';

const CHANNELS: Array<{ key: Consent['channel']; label: string }> = [
  { key: 'email', label: 'Email' },
  { key: 'sms', label: 'SMS' },
  { key: 'phone', label: 'Phone calls' },
];

export function CustomerPage({ id }: { id: string }) {
  const c = useApi<Customer360>(`/app/api/customers/${encodeURIComponent(id)}`);
  useTitle(c.data ? fullName(c.data) : 'Customer');
  if (c.error) {
    const status = (c.error as { status?: number }).status;
    if (status === 403 || status === 404) {
      return (
        <EmptyState
          title={status === 403 ? 'Not one of your customers' : 'No such customer'}
          action={
            <Link to="/customers" className="button">
              Back to customers
            </Link>
          }
        >
          <p>{c.error.message}</p>
        </EmptyState>
      );
    }
    return <ErrorState error={c.error} retry={c.reload} />;
  }
  if (!c.data) return <Loading label="Loading the customer" />;
  return <Customer c={c.data} />;
}

function Customer({ c }: { c: Customer360 }) {
  // A call logged below shows on the timeline at once (the card reloads).
  const [timelineVersion, setTimelineVersion] = useState(0);
  const { me } = useSession();
  const currency = me.store.currency;
  const s = c.scores;
  const stage = s ? stageInfo(s.lifecycle_stage) : null;
  const orders = useMemo(
    () => [...c.orders].sort((a, b) => b.placed_at.localeCompare(a.placed_at)),
    [c.orders],
  );
  return (
    <>
      <p className="breadcrumb">
        <Link to="/customers">Customers</Link> / {fullName(c)}
      </p>
      <PageHeader
        title={fullName(c)}
        subtitle={
          <>
            {[c.email, c.phone].filter(Boolean).join(' · ')}
            {c.external_id ? <span className="muted"> · store id {c.external_id}</span> : null}
          </>
        }
        actions={
          <div className="badges">
            {stage ? <Badge tone={stage.tone}>{stage.label}</Badge> : null}
            {s ? <Badge tone={SEGMENT_INFO[s.rfm_segment]?.tone ?? 'muted'}>{s.rfm_segment}</Badge> : null}
            {s?.vip ? <Badge tone="good">VIP</Badge> : null}
          </div>
        }
      />
      <div className="stack">
        {s ? (
          <Card
            title="Predictions"
            subtitle={`From the report computed ${fmtRelative(s.computed_at)}.`}
            className="predictions"
          >
            <div className="grid grid-4">
              <Fact
                label="Chance they are still a customer"
                value={fmtPercent(s.p_alive, 0)}
                testId="p-alive"
                note={
                  s.frequency === 0
                    ? 'One order so far: the model cannot tell yet whether they will be back, so it counts them as still a customer. Their stage says how long they have been away.'
                    : 'P(alive): the probability they have not silently moved on, from how often and how recently they bought.'
                }
              />
              <Fact
                label="Expected next order"
                value={
                  s.next_purchase_at && (s.p_alive ?? 0) >= 0.05
                    ? fmtDate(s.next_purchase_at)
                    : 'Not expected'
                }
                note={
                  s.next_purchase_at
                    ? `If still a customer, around ${fmtDate(s.next_purchase_at)}${s.typical_interval_days ? `; they usually order every ${fmtInt(s.typical_interval_days)} days` : ''}.`
                    : 'Too little history to say.'
                }
              />
              <Fact
                label="Predicted value (CLV)"
                value={fmtMoneyMinor(s.predicted_clv_minor, currency)}
                testId="clv"
                note={`${fmtNumber(s.expected_purchases, 1)} expected orders over the prediction horizon × ${fmtMoneyMinor(s.expected_spend_minor, currency)} per order, discounted.`}
              />
              <Fact
                label="RFM scores"
                value={`R${s.rfm_r} F${s.rfm_f} M${s.rfm_m}`}
                note={`Recency, frequency and money, 1–5 against the other customers. ${SEGMENT_INFO[s.rfm_segment]?.action ?? ''}`}
              />
            </div>
            <p className="reason" data-testid="reason">
              <strong>Why {stage?.label.toLowerCase()}:</strong> {s.reason}
            </p>
          </Card>
        ) : (
          <Card title="Predictions">
            <p className="muted">
              No scores yet:{' '}
              {c.metrics.orders_count
                ? 'they appear once the report is computed (Overview → Compute now).'
                : 'this customer has no orders.'}
            </p>
          </Card>
        )}

        <div className="grid grid-2">
          <Card title="Value so far">
            <dl className="facts">
              <div>
                <dt>Orders</dt>
                <dd>{fmtInt(c.metrics.orders_count)}</dd>
              </div>
              <div>
                <dt>Net revenue</dt>
                <dd>{fmtMoneyMinor(c.metrics.net_revenue_minor, currency)}</dd>
              </div>
              <div>
                <dt>Average order</dt>
                <dd>{fmtMoneyMinor(c.metrics.aov_minor, currency)}</dd>
              </div>
              <div>
                <dt>Refunded</dt>
                <dd>{fmtMoneyMinor(c.metrics.refunded_minor, currency)}</dd>
              </div>
              <div>
                <dt>First order</dt>
                <dd>{fmtDate(c.metrics.first_order_at)}</dd>
              </div>
              <div>
                <dt>Last order</dt>
                <dd>
                  {fmtDate(c.metrics.last_order_at)}{' '}
                  {c.metrics.last_order_at ? (
                    <span className="muted">({fmtRelative(c.metrics.last_order_at)})</span>
                  ) : null}
                </dd>
              </div>
            </dl>
          </Card>
          <Card title="Contact permission" subtitle="The current consent per channel; the history is kept.">
            <ul className="consents" data-testid="consents">
              {CHANNELS.map(({ key, label }) => {
                const k = c.consents.find((x) => x.channel === key);
                return (
                  <li key={key}>
                    <span className="consent-channel">{label}</span>
                    {k ? (
                      <Badge tone={k.status === 'granted' ? 'good' : 'bad'}>
                        {k.status === 'granted' ? 'Granted' : 'Withdrawn'}
                      </Badge>
                    ) : (
                      <Badge tone="muted">No consent</Badge>
                    )}
                    <span className="consent-detail">
                      {k
                        ? `${fmtDate(k.occurred_at)}${k.source ? ` · ${k.source}` : ''}${k.double_opt_in_confirmed_at ? ' · double opt-in confirmed' : ''}`
                        : 'Never asked: do not contact on this channel.'}
                    </span>
                  </li>
                );
              })}
            </ul>
          </Card>
        </div>

        <TimelineCard key={timelineVersion} customerId={c.id} />

        <CallsCard customerId={c.id} onLogged={() => setTimelineVersion((v) => v + 1)} />

        <PointsCard customerId={c.id} />

        <Card title="Profile">
          <dl className="facts facts-wide">
            <div>
              <dt>Account manager</dt>
              <dd>{c.account_manager ?? <span className="muted">none</span>}</dd>
            </div>
            <div>
              <dt>Tags</dt>
              <dd>
                {c.tags.length ? (
                  c.tags.map((t) => <Badge key={t}>{t}</Badge>)
                ) : (
                  <span className="muted">none</span>
                )}
              </dd>
            </div>
            <div>
              <dt>Birthday</dt>
              <dd>{fmtDate(c.birthday)}</dd>
            </div>
            <div>
              <dt>Postal address</dt>
              <dd data-testid="address">
                {c.address ? (
                  <address className="postal-address">{addressLines(c.address).join('\n')}</address>
                ) : (
                  <span className="muted">none</span>
                )}
              </dd>
            </div>
            <div>
              <dt>Language · time zone</dt>
              <dd>{[c.locale, c.timezone].filter(Boolean).join(' · ') || '–'}</dd>
            </div>
            <div>
              <dt>Customer since</dt>
              <dd>{fmtDate(c.created_at)}</dd>
            </div>
          </dl>
        </Card>

        <Card
          title="Orders"
          subtitle={orders.length ? `${count(orders.length, 'order')}, newest first.` : undefined}
        >
          {orders.length === 0 ? (
            <p className="muted">No orders yet.</p>
          ) : (
            <>
              {orders.length > 1 ? <OrderChart orders={orders} currency={currency} /> : null}
              <ol className="timeline" data-testid="orders">
                {orders.map((o) => (
                  <li key={o.id} className="timeline-item">
                    <div className="timeline-date">
                      <time dateTime={o.placed_at}>{fmtDateTime(o.placed_at)}</time>
                    </div>
                    <div className="timeline-body">
                      <div className="timeline-head">
                        <strong>{fmtMoneyMinor(o.total_minor, o.currency)}</strong>
                        <span className="muted">#{o.external_id}</span>
                        {o.status !== 'paid' && o.status !== 'fulfilled' ? (
                          <Badge
                            tone={o.status.includes('refund') || o.status === 'cancelled' ? 'warn' : 'muted'}
                          >
                            {o.status.replace(/_/g, ' ')}
                          </Badge>
                        ) : null}
                        {o.discount_codes.map((d) => (
                          <Badge key={d} tone="info">
                            {d}
                          </Badge>
                        ))}
                      </div>
                      <div className="timeline-lines">
                        {o.lines.map((l) => `${l.quantity} × ${l.title ?? l.sku ?? 'item'}`).join(', ')}
                      </div>
                    </div>
                  </li>
                ))}
              </ol>
            </>
          )}
        </Card>
      </div>
    </>
  );
}

function Fact({
  label,
  value,
  note,
  testId,
}: {
  label: string;
  value: string;
  note: string;
  testId?: string;
}) {
  return (
    <div className="fact">
      <div className="kpi-label">{label}</div>
      <div className="fact-value" data-testid={testId}>
        {value}
      </div>
      <p className="kpi-meaning">{note}</p>
    </div>
  );
}

function OrderChart({ orders, currency }: { orders: Order[]; currency: string }) {
  const option = useMemo(() => {
    const scale = 10 ** minorDigits(currency);
    return {
      grid: { left: 56, right: 16, top: 16, bottom: 32 },
      tooltip: {
        trigger: 'item',
        formatter: (p: { data: [number, number] }) =>
          `${fmtDate(new Date(p.data[0]).toISOString())}<br/>${fmtMoneyMinor(p.data[1] * scale, currency)}`,
      },
      xAxis: { type: 'time' },
      yAxis: {
        type: 'value',
        min: 0,
        axisLabel: { formatter: (v: number) => fmtMoneyMinor(v * scale, currency, true) },
      },
      series: [
        {
          type: 'bar',
          barMaxWidth: 10,
          itemStyle: { color: '#2448c8' },
          data: orders.map((o) => [new Date(o.placed_at).getTime(), o.total_minor / scale]),
        },
      ],
    };
  }, [orders, currency]);
  return <Chart option={option} height={160} label="Order values over time" />;
}
