import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { Badge, Card, EmptyState, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { fmtDate, fmtInt, fmtMoneyMinor, fmtPercent, fullName, minorDigits } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { LIFECYCLE_STAGES, RFM_SEGMENTS, stageInfo } from '../meaning.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useCan, useSession } from '../session.tsx';
import type { CustomerPage, CustomerRow, FilterOptions } from '../types.ts';

/** The filters the list understands, as URL parameters (so a segment's link opens the list filtered). */
const FILTERS = [
  'q',
  'segment',
  'stage',
  'sleeping',
  'p_alive_min',
  'p_alive_max',
  'clv_min_minor',
  'consent',
  'tag',
  'account_manager',
] as const;
type Filter = (typeof FILTERS)[number];
type Values = Record<Filter, string>;

function valuesOf(search: URLSearchParams): Values {
  return Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Values;
}

/** Form values → the page's URL query (the API query converts percentages and money). */
function queryOf(v: Values): string {
  const q = new URLSearchParams();
  for (const f of FILTERS) if (v[f] !== '') q.set(f, v[f]);
  return q.toString();
}

export function CustomersPage() {
  useTitle('Customers');
  const { me } = useSession();
  const seesAll = useCan('customers:all');
  const { search } = useLocation();
  const currency = me.store.currency;
  const [form, setForm] = useState<Values>(() => valuesOf(search));
  const searchKey = search.toString();
  // The URL is the truth: back/forward and links reset the form.
  useEffect(() => setForm(valuesOf(new URLSearchParams(searchKey))), [searchKey]);

  const apiQuery = new URLSearchParams(searchKey);
  apiQuery.set('limit', '50');
  const pAliveMin = apiQuery.get('p_alive_min');
  if (pAliveMin) apiQuery.set('p_alive_min', String(Number(pAliveMin) / 100));
  const pAliveMax = apiQuery.get('p_alive_max');
  if (pAliveMax) apiQuery.set('p_alive_max', String(Number(pAliveMax) / 100));
  const clv = apiQuery.get('clv_min_minor');
  if (clv) apiQuery.set('clv_min_minor', String(Math.round(Number(clv) * 10 ** minorDigits(currency))));
  const list = useApi<CustomerPage>(`/app/api/customers?${apiQuery}`);
  const options = useApi<FilterOptions>('/app/api/filter-options');

  const apply = (next: Values) => navigate(`/customers?${queryOf(next)}`);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(form);
  };
  const set = (f: Filter, value: string, now = false) => {
    const next = { ...form, [f]: value };
    setForm(next);
    if (now) apply(next);
  };
  const active = FILTERS.filter((f) => search.get(f));
  const cursor = search.get('cursor');

  return (
    <>
      <PageHeader
        title={seesAll ? 'Customers' : 'Your customers'}
        subtitle={
          seesAll
            ? 'Find anyone by name, email, phone or id, or filter by what the analytics say about them.'
            : `The customers you look after (${me.user.email}).`
        }
      />
      <form className="card filters" onSubmit={submit} aria-label="Customer filters">
        <div className="filter-search">
          <label htmlFor="f-q">Search</label>
          <input
            id="f-q"
            type="search"
            placeholder="Name, email, phone or customer id"
            value={form.q}
            onChange={(e) => set('q', e.target.value)}
          />
          <button type="submit" className="button button-primary">
            Search
          </button>
        </div>
        <div className="filter-grid">
          <Select
            id="f-segment"
            label="Segment"
            value={form.segment}
            onChange={(v) => set('segment', v, true)}
          >
            <option value="">All segments</option>
            {RFM_SEGMENTS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
          <Select id="f-stage" label="Stage" value={form.stage} onChange={(v) => set('stage', v, true)}>
            <option value="">All stages</option>
            {LIFECYCLE_STAGES.map((s) => (
              <option key={s} value={s}>
                {stageInfo(s).label}
              </option>
            ))}
          </Select>
          <Select
            id="f-sleeping"
            label="Sleeping"
            value={form.sleeping}
            onChange={(v) => set('sleeping', v, true)}
          >
            <option value="">Any</option>
            <option value="true">Sleeping</option>
            <option value="false">Not sleeping</option>
          </Select>
          <Select
            id="f-consent"
            label="Consent"
            value={form.consent}
            onChange={(v) => set('consent', v, true)}
          >
            <option value="">Any</option>
            <option value="email">Email granted</option>
            <option value="sms">SMS granted</option>
            <option value="phone">Phone granted</option>
          </Select>
          <Select id="f-tag" label="Tag" value={form.tag} onChange={(v) => set('tag', v, true)}>
            <option value="">Any tag</option>
            {options.data?.tags.map((t) => (
              <option key={t.tag} value={t.tag}>
                {t.tag} ({fmtInt(t.customers)})
              </option>
            ))}
          </Select>
          {seesAll ? (
            <Select
              id="f-manager"
              label="Account manager"
              value={form.account_manager}
              onChange={(v) => set('account_manager', v, true)}
            >
              <option value="">Anyone</option>
              {options.data?.managers.map((m) => (
                <option key={m.account_manager} value={m.account_manager}>
                  {m.account_manager} ({fmtInt(m.customers)})
                </option>
              ))}
            </Select>
          ) : null}
          <div className="field">
            <label htmlFor="f-pmin">P(alive) from, %</label>
            <input
              id="f-pmin"
              type="number"
              min={0}
              max={100}
              inputMode="numeric"
              value={form.p_alive_min}
              onChange={(e) => set('p_alive_min', e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="f-pmax">P(alive) to, %</label>
            <input
              id="f-pmax"
              type="number"
              min={0}
              max={100}
              inputMode="numeric"
              value={form.p_alive_max}
              onChange={(e) => set('p_alive_max', e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="f-clv">Min. predicted CLV, {currency}</label>
            <input
              id="f-clv"
              type="number"
              min={0}
              inputMode="decimal"
              value={form.clv_min_minor}
              onChange={(e) => set('clv_min_minor', e.target.value)}
            />
          </div>
        </div>
        <div className="filter-actions">
          <button type="submit" className="button">
            Apply filters
          </button>
          {active.length ? (
            <Link to="/customers" className="button button-ghost">
              Clear all
            </Link>
          ) : null}
          {search.get('q') ? (
            <span className="muted">
              Searching by text; the other filters apply when the search box is empty.
            </span>
          ) : null}
        </div>
      </form>

      <Card>
        {list.error ? (
          <ErrorState error={list.error} retry={list.reload} />
        ) : !list.data ? (
          <Loading label="Loading customers" />
        ) : list.data.data.length === 0 ? (
          <EmptyState
            title="No customers match"
            action={
              active.length ? (
                <Link to="/customers" className="button">
                  Clear the filters
                </Link>
              ) : undefined
            }
          >
            <p>
              {active.length
                ? 'Try fewer filters. Score filters (segment, stage, sleeping, P(alive), CLV) need a computed report.'
                : seesAll
                  ? 'No customers yet: import them or send them to the API.'
                  : `No customers have ${me.user.email} as their account manager yet.`}
            </p>
          </EmptyState>
        ) : (
          <CustomerTable
            rows={list.data.data}
            currency={currency}
            showManager={seesAll}
            loading={list.loading}
          />
        )}
        {list.data && (list.data.next_cursor || cursor) ? (
          <nav className="pager" aria-label="Pages">
            {cursor ? (
              <button type="button" className="button" onClick={() => history.back()}>
                ← Previous
              </button>
            ) : null}
            {list.data.next_cursor ? (
              <Link
                className="button"
                to={`/customers?${(() => {
                  const q = new URLSearchParams(searchKey);
                  q.set('cursor', list.data.next_cursor ?? '');
                  return q.toString();
                })()}`}
              >
                Next 50 →
              </Link>
            ) : null}
          </nav>
        ) : null}
      </Card>
    </>
  );
}

function Select({
  id,
  label,
  value,
  onChange,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </div>
  );
}

export function CustomerTable({
  rows,
  currency,
  showManager,
  loading,
}: {
  rows: CustomerRow[];
  currency: string;
  showManager: boolean;
  loading?: boolean;
}) {
  return (
    <div className="table-wrap" aria-busy={loading}>
      <table className="table table-cards" data-testid="customer-table">
        <thead>
          <tr>
            <th scope="col">Customer</th>
            <th scope="col">Stage</th>
            <th scope="col">Segment</th>
            <th scope="col" className="num">
              P(alive)
            </th>
            <th scope="col" className="num">
              Predicted CLV
            </th>
            <th scope="col" className="num">
              Orders
            </th>
            <th scope="col">Last order</th>
            {showManager ? <th scope="col">Manager</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const stage = c.lifecycle_stage ? stageInfo(c.lifecycle_stage) : null;
            return (
              <tr key={c.id}>
                <td className="cell-main">
                  <Link to={`/customers/${c.id}`} className="cell-title">
                    {fullName(c)}
                  </Link>
                  <div className="cell-sub">{c.email ?? c.phone ?? c.external_id}</div>
                </td>
                <td data-label="Stage">
                  {stage ? <Badge tone={stage.tone}>{stage.label}</Badge> : <span className="muted">–</span>}
                </td>
                <td data-label="Segment">{c.rfm_segment ?? <span className="muted">–</span>}</td>
                <td data-label="P(alive)" className="num">
                  {fmtPercent(c.p_alive, 0)}
                </td>
                <td data-label="Predicted CLV" className="num">
                  {fmtMoneyMinor(c.predicted_clv_minor, currency)}
                </td>
                <td data-label="Orders" className="num">
                  {fmtInt(c.orders_count ?? 0)}
                </td>
                <td data-label="Last order">{fmtDate(c.last_order_at)}</td>
                {showManager ? (
                  <td data-label="Manager" className="cell-sub">
                    {c.account_manager ?? '–'}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
