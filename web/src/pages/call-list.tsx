import { useState } from 'react';
import { CallLogForm, OutcomeBadge } from '../components/call-outcomes.tsx';
import { Badge, Card, EmptyState, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { fmtDate, fmtInt, fmtMoneyMinor, fmtRelative, fullName } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { stageInfo } from '../meaning.ts';
import type { LastCall } from '../operations-types.ts';
import { Link } from '../router.tsx';
import { useCan, useSession } from '../session.tsx';
import type { CallListRow } from '../types.ts';

export function CallListPage() {
  useTitle('Call list');
  const { me } = useSession();
  const seesAll = useCan('customers:all');
  const [limit, setLimit] = useState(25);
  const [logging, setLogging] = useState<string | null>(null);
  const [logged, setLogged] = useState<string | null>(null);
  const list = useApi<{ data: Array<CallListRow & LastCall> }>(`/app/api/call-list?limit=${limit}`);
  const currency = me.store.currency;
  return (
    <>
      <PageHeader
        title={seesAll ? 'Call list' : 'Your call list'}
        subtitle="Customers drifting away (at risk or sleeping), the biggest spenders first, each with the reason to call. Contacted with a reason, about 30 % of sleeping customers come back. Log each call: someone you reached leaves the list for two weeks; after no answer they stay."
      />
      {logged ? (
        <div className="banner">
          <p className="notice" role="status">
            {logged}
          </p>
        </div>
      ) : null}
      <Card>
        {list.error ? (
          <ErrorState error={list.error} retry={list.reload} />
        ) : !list.data ? (
          <Loading label="Loading the call list" />
        ) : list.data.data.length === 0 ? (
          <EmptyState title="Nobody to call right now">
            <p>
              {seesAll
                ? 'No customer is at risk or sleeping, or the report has not been computed yet (Overview → Compute now).'
                : 'None of your customers is at risk or sleeping. Well done.'}
            </p>
          </EmptyState>
        ) : (
          <ol className="call-list" data-testid="call-list">
            {list.data.data.map((c) => {
              const stage = stageInfo(c.lifecycle_stage ?? '');
              return (
                <li key={c.id} className="call-item">
                  <div className="call-who">
                    <Link to={`/customers/${c.id}`} className="cell-title">
                      {fullName(c)}
                    </Link>
                    <Badge tone={stage.tone}>{stage.label}</Badge>
                    <div className="cell-sub">
                      {c.phone ? (
                        <>
                          <a href={`tel:${c.phone}`}>{c.phone}</a>
                          {c.phone_consent ? null : (
                            <span className="warn-text"> · no phone consent: email instead</span>
                          )}
                        </>
                      ) : (
                        <span>{c.email ?? 'no phone or email'}</span>
                      )}
                    </div>
                  </div>
                  <div className="call-numbers">
                    <div>
                      <span className="muted">Spent</span>{' '}
                      {fmtMoneyMinor(c.total_spend_minor, currency, true)}
                    </div>
                    <div>
                      <span className="muted">Orders</span> {fmtInt(c.orders_count)}
                    </div>
                    <div>
                      <span className="muted">Last</span> {fmtDate(c.last_order_at)} (
                      {fmtRelative(c.last_order_at)})
                    </div>
                  </div>
                  <p className="call-reason">{c.reason}</p>
                  {seesAll && c.account_manager ? (
                    <div className="cell-sub">Manager: {c.account_manager}</div>
                  ) : null}
                  <div className="call-log">
                    {c.last_call_outcome && c.last_call_at ? (
                      <div className="last-call" data-testid="last-call">
                        <span className="muted">Last call</span>{' '}
                        <OutcomeBadge outcome={c.last_call_outcome} />
                        <span className="muted">{fmtRelative(c.last_call_at)}</span>
                        {c.last_call_note ? <span>{c.last_call_note}</span> : null}
                      </div>
                    ) : null}
                    {logging === c.id ? (
                      <CallLogForm
                        customerId={c.id}
                        onCancel={() => setLogging(null)}
                        onLogged={(call) => {
                          setLogging(null);
                          setLogged(
                            call.outcome === 'no_answer'
                              ? `No answer from ${fullName(c)}: they stay on the list.`
                              : `Call with ${fullName(c)} saved: they leave the list for two weeks.`,
                          );
                          list.reload();
                        }}
                      />
                    ) : (
                      <button type="button" className="button" onClick={() => setLogging(c.id)}>
                        Log call<span className="visually-hidden"> with {fullName(c)}</span>
                      </button>
                    )}
                  </div>
                </li>
              );
            })}
          </ol>
        )}
        {list.data && list.data.data.length === limit && limit < 200 ? (
          <div className="pager">
            <button type="button" className="button" onClick={() => setLimit((l) => Math.min(200, l + 25))}>
              Show 25 more
            </button>
          </div>
        ) : null}
      </Card>
    </>
  );
}
