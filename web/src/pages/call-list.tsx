import { useState } from 'react';
import { Badge, Card, EmptyState, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { fmtDate, fmtInt, fmtMoneyMinor, fmtRelative, fullName } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { stageInfo } from '../meaning.ts';
import { Link } from '../router.tsx';
import { useCan, useSession } from '../session.tsx';
import type { CallListRow } from '../types.ts';

export function CallListPage() {
  useTitle('Call list');
  const { me } = useSession();
  const seesAll = useCan('customers:all');
  const [limit, setLimit] = useState(25);
  const list = useApi<{ data: CallListRow[] }>(`/app/api/call-list?limit=${limit}`);
  const currency = me.store.currency;
  return (
    <>
      <PageHeader
        title={seesAll ? 'Call list' : 'Your call list'}
        subtitle="Customers drifting away (at risk or sleeping), the biggest spenders first, each with the reason to call. Contacted with a reason, about 30 % of sleeping customers come back."
      />
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
