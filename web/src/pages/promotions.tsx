import { type FormEvent, useState } from 'react';
import { ApiError, api, errorOf } from '../api.ts';
import { Field, FormError, fromLocalInput, parseMoney, parseWhole } from '../components/form.tsx';
import { Badge, Card, EmptyState, ErrorState, Loading, PageHeader, ShareBar } from '../components/ui.tsx';
import { count, fmtDate, fmtDateTime, fmtInt, fmtMoneyMinor } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import type { CodeList, Promotion, PromotionList } from '../marketing-types.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { PromotionForm } from './promotion-form.tsx';
import '../marketing.css';

/** What a promotion gives, in a few words: "15% off", "€10.00 off", "Buy 2, get 1 free". */
export function describeOffer(p: Promotion, currency: string): string {
  const money = (m: number) => fmtMoneyMinor(m, currency);
  const pct = (bps: number) => `${bps / 100}%`;
  return p.actions
    .map((a) => {
      switch (a.code) {
        case 'percent_off':
          return `${pct(a.args.percent_bps)} off${a.args.max_discount_minor !== null ? ` (at most ${money(a.args.max_discount_minor)})` : ''}`;
        case 'amount_off':
          return `${money(a.args.amount_minor)} off`;
        case 'free_shipping':
          return a.args.max_shipping_minor === null
            ? 'Free shipping'
            : `Shipping up to ${money(a.args.max_shipping_minor)} paid`;
        case 'gift_card':
          return 'Gift card';
        case 'buy_x_get_y':
          return `Buy ${a.args.buy_quantity}, get ${a.args.get_quantity} ${a.args.percent_bps === 10_000 ? 'free' : `at ${pct(a.args.percent_bps)} off`}`;
        case 'spend_threshold':
          return a.args.steps
            .map(
              (s) =>
                `spend ${money(s.min_subtotal_minor)}: ${s.amount_off_minor !== null ? money(s.amount_off_minor) : pct(s.percent_bps ?? 0)} off`,
            )
            .join('; ');
        case 'bonus_points':
          return `${fmtInt(a.args.points)} bonus points`;
        default:
          return 'Discount';
      }
    })
    .join(' + ');
}

function describeTrigger(p: Promotion): string {
  if (p.trigger.type === 'automatic') return 'Automatic';
  if (p.trigger.type === 'code') return `Code ${p.trigger.code}`;
  return 'Generated codes';
}

function validity(p: Promotion): string {
  if (!p.starts_at && !p.ends_at) return 'Always';
  if (p.starts_at && p.ends_at) return `${fmtDate(p.starts_at)} – ${fmtDate(p.ends_at)}`;
  return p.starts_at ? `From ${fmtDate(p.starts_at)}` : `Until ${fmtDate(p.ends_at)}`;
}

function StatusBadge({ p }: { p: Promotion }) {
  const now = Date.now();
  if (p.status === 'archived') return <Badge tone="muted">Archived</Badge>;
  if (p.ends_at && Date.parse(p.ends_at) <= now) return <Badge tone="warn">Ended</Badge>;
  if (p.starts_at && Date.parse(p.starts_at) > now) return <Badge tone="info">Scheduled</Badge>;
  if (p.usage.uses_left === 0 || p.usage.budget_left_minor === 0) return <Badge tone="warn">Used up</Badge>;
  return <Badge tone="good">Active</Badge>;
}

function Usage({ p }: { p: Promotion }) {
  const u = p.usage;
  return (
    <span className="usage">
      {fmtInt(u.uses)} / {u.max_uses === null ? 'no limit' : fmtInt(u.max_uses)}
      {u.max_uses !== null ? <ShareBar value={u.uses / u.max_uses} /> : null}
    </span>
  );
}

function Budget({ p, currency }: { p: Promotion; currency: string }) {
  const u = p.usage;
  return (
    <span className="usage">
      {fmtMoneyMinor(u.budget_spent_minor, currency)} /{' '}
      {u.budget_minor === null ? 'no limit' : fmtMoneyMinor(u.budget_minor, currency)}
      {u.budget_minor ? <ShareBar value={u.budget_spent_minor / u.budget_minor} tone="warn" /> : null}
    </span>
  );
}

/** All promotions with status, usage, budget and validity; a status filter in the address. */
export function PromotionsPage() {
  useTitle('Promotions');
  const { me } = useSession();
  const { search } = useLocation();
  const status = search.get('status') ?? 'active';
  const [pages, setPages] = useState<string[]>([]);
  const cursor = pages[pages.length - 1];
  const list = useApi<PromotionList>(
    `/app/api/promotions?limit=25${status === 'all' ? '' : `&status=${status}`}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
  );
  const currencyOf = (p: Promotion) => p.currency ?? me.store.currency;
  return (
    <>
      <PageHeader
        title="Promotions"
        subtitle="Discounts, codes and gift cards: what each gives, how often it was used and what it cost."
        actions={
          <Link to="/promotions/new" className="button button-primary">
            New promotion
          </Link>
        }
      />
      <nav className="filter-actions promo-tabs" aria-label="Promotion status">
        {(['active', 'archived', 'all'] as const).map((s) => (
          <Link
            key={s}
            to={`/promotions?status=${s}`}
            className={`button ${s === status ? 'button-primary' : ''}`}
            aria-current={s === status ? 'page' : undefined}
            onClick={() => setPages([])}
          >
            {s === 'active' ? 'Active' : s === 'archived' ? 'Archived' : 'All'}
          </Link>
        ))}
      </nav>
      {list.error ? (
        <ErrorState error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading label="Loading promotions" />
      ) : list.data.data.length === 0 && pages.length === 0 ? (
        <EmptyState
          title={status === 'archived' ? 'No archived promotions' : 'No promotions yet'}
          action={
            <Link to="/promotions/new" className="button button-primary">
              Create a promotion
            </Link>
          }
        >
          <p>
            A promotion gives a discount, free shipping or a gift card, automatically or with a code. Create
            one, then generate codes to send to customers.
          </p>
        </EmptyState>
      ) : (
        <Card>
          <div className="table-wrap" aria-busy={list.loading}>
            <table className="table table-cards" data-testid="promotion-table">
              <thead>
                <tr>
                  <th scope="col">Promotion</th>
                  <th scope="col">Status</th>
                  <th scope="col">Gives</th>
                  <th scope="col">How</th>
                  <th scope="col">Uses</th>
                  <th scope="col">Budget spent</th>
                  <th scope="col">Valid</th>
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((p) => (
                  <tr key={p.id}>
                    <td className="cell-main">
                      <Link to={`/promotions/${encodeURIComponent(p.id)}`}>{p.name}</Link>
                    </td>
                    <td data-label="Status">
                      <StatusBadge p={p} />
                    </td>
                    <td data-label="Gives">{describeOffer(p, currencyOf(p))}</td>
                    <td data-label="How">{describeTrigger(p)}</td>
                    <td data-label="Uses">
                      <Usage p={p} />
                    </td>
                    <td data-label="Budget spent">
                      <Budget p={p} currency={currencyOf(p)} />
                    </td>
                    <td data-label="Valid">{validity(p)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pages={pages} setPages={setPages} next={list.data.next_cursor} />
        </Card>
      )}
    </>
  );
}

export function NewPromotionPage() {
  useTitle('New promotion');
  const { me } = useSession();
  return (
    <>
      <PageHeader
        title="New promotion"
        subtitle={
          <>
            Amounts are in {me.store.currency}. <Link to="/promotions">Back to promotions</Link>
          </>
        }
      />
      <Card>
        <PromotionForm
          promotion={null}
          currency={me.store.currency}
          onSaved={(p) => navigate(`/promotions/${encodeURIComponent(p.id)}?created=1`)}
          onCancel={() => navigate('/promotions')}
        />
      </Card>
    </>
  );
}

/** One promotion: its numbers, edit, archive, and its codes. */
export function PromotionPage({ id }: { id: string }) {
  const { me } = useSession();
  const { search } = useLocation();
  const p = useApi<Promotion>(`/app/api/promotions/${encodeURIComponent(id)}`);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(search.get('created') ? 'Promotion created.' : null);
  const [actionError, setActionError] = useState<string | null>(null);
  useTitle(p.data?.name ?? 'Promotion');
  if (p.error)
    return p.error instanceof ApiError && p.error.status === 404 ? (
      <EmptyState title="No such promotion" action={<Link to="/promotions">All promotions</Link>}>
        <p>It may have another id; pick it from the list.</p>
      </EmptyState>
    ) : (
      <ErrorState error={p.error} retry={p.reload} />
    );
  if (!p.data) return <Loading label="Loading the promotion" />;
  const promo = p.data;
  const currency = promo.currency ?? me.store.currency;
  const setStatus = async (status: 'active' | 'archived') => {
    setBusy(true);
    setActionError(null);
    try {
      await api(`/app/api/promotions/${encodeURIComponent(promo.id)}`, { method: 'PATCH', body: { status } });
      setNotice(status === 'archived' ? 'Archived: it is no longer offered.' : 'Active again.');
      p.reload();
    } catch (err) {
      setActionError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeader
        title={promo.name}
        subtitle={
          <>
            <StatusBadge p={promo} /> {describeOffer(promo, currency)} · {describeTrigger(promo)} ·{' '}
            <Link to="/promotions">All promotions</Link>
          </>
        }
        actions={
          <>
            <button
              type="button"
              className="button"
              onClick={() => setEditing((e) => !e)}
              aria-expanded={editing}
            >
              {editing ? 'Close the form' : 'Edit'}
            </button>
            {promo.status === 'active' ? (
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void setStatus('archived')}
              >
                Archive
              </button>
            ) : (
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void setStatus('active')}
              >
                Reactivate
              </button>
            )}
          </>
        }
      />
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <FormError message={actionError} />
      <div className="stack">
        <div className="grid grid-3 promo-facts">
          <Card title="Uses">
            <p className="big-number" data-testid="promo-uses">
              <Usage p={promo} />
            </p>
            <p className="hint">
              {promo.limits.uses_per_customer === null
                ? 'No limit per customer.'
                : `At most ${count(promo.limits.uses_per_customer, 'use')} per customer.`}
            </p>
          </Card>
          <Card title="Budget">
            <p className="big-number" data-testid="promo-budget">
              <Budget p={promo} currency={currency} />
            </p>
            <p className="hint">What the discounts have cost so far, against the budget.</p>
          </Card>
          <Card title="Valid">
            <p className="big-number">{validity(promo)}</p>
            <p className="hint">
              {promo.stacking === 'exclusive'
                ? 'Exclusive: never combined with others.'
                : 'Combinable with others.'}{' '}
              Priority {promo.priority}.
            </p>
          </Card>
        </div>
        {editing ? (
          <Card title="Edit promotion" subtitle={`Amounts are in ${currency}.`}>
            <PromotionForm
              promotion={promo}
              currency={currency}
              onSaved={() => {
                setEditing(false);
                setNotice('Changes saved.');
                p.reload();
              }}
              onCancel={() => setEditing(false)}
            />
          </Card>
        ) : null}
        {promo.trigger.type === 'unique_codes' ? (
          <Codes promo={promo} currency={currency} onGenerated={p.reload} />
        ) : (
          <Card title="Codes">
            <p className="hint">
              {promo.trigger.type === 'code'
                ? `Customers type ${promo.trigger.code} at checkout. Generated codes are for promotions that apply with generated codes.`
                : 'It applies by itself at checkout; no code is needed.'}
            </p>
          </Card>
        )}
      </div>
    </>
  );
}

/** Previous and next for a cursor-paged list: `pages` holds the cursors that led to this page. */
function Pager({
  pages,
  setPages,
  next,
  what = '',
}: {
  pages: string[];
  setPages: (f: (ps: string[]) => string[]) => void;
  next: string | null | undefined;
  what?: string;
}) {
  return (
    <div className="pager">
      <button
        type="button"
        className="button"
        disabled={pages.length === 0}
        onClick={() => setPages((ps) => ps.slice(0, -1))}
      >
        Previous{what ? ` ${what}` : ''}
      </button>
      <button
        type="button"
        className="button"
        disabled={!next}
        onClick={() => next && setPages((ps) => [...ps, next])}
      >
        Next{what ? ` ${what}` : ''}
      </button>
    </div>
  );
}

const BATCH = 1_000;

/** Generate codes in batches (with progress), export them as CSV, and page through them. */
function Codes({
  promo,
  currency,
  onGenerated,
}: {
  promo: Promotion;
  currency: string;
  onGenerated: () => void;
}) {
  const giftCard = promo.actions.some((a) => a.code === 'gift_card');
  const [countText, setCountText] = useState('100');
  const [prefix, setPrefix] = useState('');
  const [balance, setBalance] = useState('');
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [pages, setPages] = useState<string[]>([]);
  const [exporting, setExporting] = useState(false);
  const cursor = pages[pages.length - 1];
  const base = `/app/api/promotions/${encodeURIComponent(promo.id)}/codes`;
  const codes = useApi<CodeList>(`${base}?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);

  const generate = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const n = parseWhole(countText);
    if (n === null || Number.isNaN(n) || n < 1 || n > 100_000)
      errs.count = 'Enter how many codes, from 1 to 100,000';
    const balanceMinor = giftCard ? parseMoney(balance, currency) : null;
    if (giftCard && (balanceMinor === null || balanceMinor <= 0))
      errs.balance = `Enter each gift card's balance in ${currency}, e.g. 25.00`;
    if (prefix && !/^[A-Za-z0-9-]{1,20}$/.test(prefix)) errs.prefix = 'Letters and digits only, up to 20';
    setErrors(errs);
    if (Object.keys(errs).length || n === null) return;
    setResult(null);
    setProgress({ done: 0, total: n });
    let done = 0;
    try {
      // Large runs go in batches so the page can show how far it got.
      while (done < n) {
        const size = Math.min(BATCH, n - done);
        const res = await api<{ count: number }>(base, {
          method: 'POST',
          body: {
            count: size,
            ...(prefix ? { prefix } : {}),
            balance_minor: balanceMinor,
            expires_at: fromLocalInput(expires),
          },
        });
        done += res.count;
        setProgress({ done, total: n });
      }
      setResult(`${count(done, 'code')} generated.`);
      setPages([]);
      codes.reload();
      onGenerated();
    } catch (err) {
      setErrors({
        form: `${(err as Error).message}${done ? ` (${fmtInt(done)} were generated before)` : ''}`,
      });
      codes.reload();
    } finally {
      setProgress(null);
    }
  };

  const exportCsv = async () => {
    setExporting(true);
    try {
      const res = await fetch(base, { headers: { accept: 'text/csv' }, credentials: 'same-origin' });
      if (!res.ok) throw await errorOf(res, base);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `${promo.id}-codes.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setErrors({ form: (err as Error).message });
    } finally {
      setExporting(false);
    }
  };

  const empty = codes.data && codes.data.data.length === 0 && pages.length === 0;
  return (
    <Card
      title="Codes"
      subtitle="Each code works once. Send them by email or print them; export them as CSV for your mailing tool."
      actions={
        <button
          type="button"
          className="button"
          onClick={() => void exportCsv()}
          disabled={exporting || !!empty}
        >
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      }
    >
      <form className="codes-form" onSubmit={generate} noValidate aria-label="Generate codes">
        <Field id="c-count" label="How many codes" error={errors.count}>
          {(a) => (
            <input
              {...a}
              inputMode="numeric"
              value={countText}
              onChange={(e) => setCountText(e.target.value)}
            />
          )}
        </Field>
        <Field id="c-prefix" label="Prefix" error={errors.prefix} hint="Optional, e.g. XMAS">
          {(a) => <input {...a} value={prefix} maxLength={20} onChange={(e) => setPrefix(e.target.value)} />}
        </Field>
        {giftCard ? (
          <Field id="c-balance" label={`Balance per card (${currency})`} error={errors.balance}>
            {(a) => (
              <input
                {...a}
                inputMode="decimal"
                value={balance}
                onChange={(e) => setBalance(e.target.value)}
              />
            )}
          </Field>
        ) : null}
        <Field id="c-expires" label="Codes expire" hint="Optional">
          {(a) => (
            <input
              {...a}
              type="datetime-local"
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
            />
          )}
        </Field>
        <div className="codes-submit">
          <button type="submit" className="button button-primary" disabled={progress !== null}>
            Generate codes
          </button>
        </div>
      </form>
      {progress ? (
        <div className="working" role="status" aria-live="polite">
          <div className="working-label">
            Generating codes: {fmtInt(progress.done)} of {fmtInt(progress.total)}
          </div>
          <div
            className="progress progress-determinate"
            role="progressbar"
            aria-label="Codes generated"
            aria-valuemin={0}
            aria-valuemax={progress.total}
            aria-valuenow={progress.done}
          >
            <span style={{ width: `${(progress.done / progress.total) * 100}%` }} />
          </div>
        </div>
      ) : null}
      {result ? (
        <p className="notice" role="status">
          {result}
        </p>
      ) : null}
      <FormError message={errors.form} />
      {codes.error ? (
        <ErrorState error={codes.error} retry={codes.reload} />
      ) : !codes.data ? (
        <Loading label="Loading codes" />
      ) : empty ? (
        <p className="hint empty-codes">
          No codes yet: say how many you need above and press Generate codes.
        </p>
      ) : (
        <>
          <div className="table-wrap" aria-busy={codes.loading}>
            <table className="table table-cards" data-testid="code-table">
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">State</th>
                  {giftCard ? <th scope="col">Balance</th> : null}
                  <th scope="col">Expires</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {codes.data.data.map((c) => (
                  <tr key={c.code}>
                    <td className="cell-main">
                      <code>{c.code}</code>
                    </td>
                    <td data-label="State">
                      {c.redeemed_at ? (
                        <Badge tone="muted">Used {fmtDate(c.redeemed_at)}</Badge>
                      ) : (
                        <Badge tone="good">Unused</Badge>
                      )}
                    </td>
                    {giftCard ? (
                      <td data-label="Balance">{fmtMoneyMinor(c.balance_minor, currency)}</td>
                    ) : null}
                    <td data-label="Expires">{c.expires_at ? fmtDateTime(c.expires_at) : 'never'}</td>
                    <td data-label="Created">{fmtDate(c.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pages={pages} setPages={setPages} next={codes.data.next_cursor} what="codes" />
        </>
      )}
    </Card>
  );
}
