import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import {
  bpsInput,
  Field,
  type FieldErrors,
  FormError,
  fieldErrors,
  moneyInput,
  parseMoney,
  parsePercentBps,
  parseWhole,
} from '../components/form.tsx';
import { Badge, Card, EmptyState, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { fmtDate, fmtDateTime, fmtInt, fmtMoneyMinor, fullName } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import type {
  CustomerLoyalty,
  CustomerTier,
  LedgerEntryRow,
  LoyaltyProgram,
  TierLevel,
} from '../marketing-types.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { Customer360, CustomerPage } from '../types.ts';
import '../marketing.css';

/** The loyalty page: the program's settings, tiers and referrals; a customer's ledger and adjustments. */
export function LoyaltyPage() {
  useTitle('Loyalty');
  const { search } = useLocation();
  const customerId = search.get('customer');
  return (
    <>
      <PageHeader
        title="Loyalty"
        subtitle="Points customers earn and spend, the tiers they reach, and what a referral brings."
      />
      <div className="stack">
        <CustomerLedger customerId={customerId} />
        <ProgramSettings />
      </div>
    </>
  );
}

function ProgramSettings() {
  const { me } = useSession();
  const setup = useApi<{ program: LoyaltyProgram | null }>('/app/api/loyalty/setup');
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  if (setup.error) return <ErrorState error={setup.error} retry={setup.reload} />;
  if (!setup.data) return <Loading label="Loading the loyalty program" />;
  const program = setup.data.program;
  if (program === null) {
    const start = async () => {
      setStarting(true);
      try {
        await api('/app/api/loyalty/program', { method: 'PUT', body: { currency: me.store.currency } });
        setup.reload();
      } catch (err) {
        setStartError((err as Error).message);
      } finally {
        setStarting(false);
      }
    };
    return (
      <Card title="Program">
        <EmptyState
          title="No loyalty program yet"
          action={
            <button
              type="button"
              className="button button-primary"
              disabled={starting}
              onClick={() => void start()}
            >
              Start a loyalty program
            </button>
          }
        >
          <p>
            Start with the usual settings (1 point for every {fmtMoneyMinor(100, me.store.currency)} spent,
            100 points worth {fmtMoneyMinor(100, me.store.currency)}, points expire after 90 days), then
            change them here. Orders earn points from then on.
          </p>
          {startError ? <p className="form-error">{startError}</p> : null}
        </EmptyState>
      </Card>
    );
  }
  return <ProgramForm program={program} onSaved={setup.reload} />;
}

interface LevelForm {
  code: string;
  name: string;
  threshold: string;
  multiplier: string;
  discount: string;
  freeShipping: boolean;
  rest: TierLevel;
}

/** Text inputs by API path (`redemption.max_share_bps`), so the server's messages land next to them. */
type Texts = Record<string, string>;

function textsOf(p: LoyaltyProgram): Texts {
  const c = p.currency;
  return {
    'earn.points': String(p.earn.points),
    'earn.per_amount_minor': moneyInput(p.earn.per_amount_minor, c),
    pending_days: String(p.pending_days),
    expiry_days: p.expiry_days === null ? '' : String(p.expiry_days),
    'redemption.points': String(p.redemption.points),
    'redemption.value_minor': moneyInput(p.redemption.value_minor, c),
    'redemption.min_points': String(p.redemption.min_points),
    'redemption.max_points_per_order':
      p.redemption.max_points_per_order === null ? '' : String(p.redemption.max_points_per_order),
    'redemption.max_share_bps': bpsInput(p.redemption.max_share_bps),
    'bonuses.first_order': String(p.bonuses.first_order),
    'bonuses.birthday': String(p.bonuses.birthday),
    'bonuses.signup': String(p.bonuses.signup),
    'referral.referrer_points': String(p.referral.referrer_points),
    'referral.referee_points': String(p.referral.referee_points),
    'referral.min_order_minor': moneyInput(p.referral.min_order_minor, c),
    'tiers.window_days': String(p.tiers.window_days),
    'tiers.grace_days': String(p.tiers.grace_days),
  };
}

function levelsOf(p: LoyaltyProgram): LevelForm[] {
  return p.tiers.levels.map((l) => ({
    code: l.code,
    name: l.name,
    threshold: p.tiers.basis === 'spend' ? moneyInput(l.min_spend_minor, p.currency) : String(l.min_orders),
    multiplier: String(l.benefits.earn_multiplier_bps / 10_000),
    discount: bpsInput(l.benefits.discount_bps),
    freeShipping: l.benefits.free_shipping,
    rest: l,
  }));
}

function ProgramForm({ program, onSaved }: { program: LoyaltyProgram; onSaved: () => void }) {
  const currency = program.currency;
  const [t, setT] = useState<Texts>(() => textsOf(program));
  const [basis, setBasis] = useState(program.tiers.basis);
  const [levels, setLevels] = useState<LevelForm[]>(() => levelsOf(program));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  const input = (path: string) => ({
    value: t[path] ?? '',
    onChange: (e: { target: { value: string } }) => {
      setSaved(false);
      setT((old) => ({ ...old, [path]: e.target.value }));
    },
  });
  const setLevel = (i: number, change: Partial<LevelForm>) =>
    setLevels((ls) => ls.map((l, j) => (j === i ? { ...l, ...change } : l)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: FieldErrors = {};
    const whole = (path: string, opts: { min?: number; optional?: boolean } = {}): number | null => {
      const v = parseWhole(t[path] ?? '');
      if (v === null && opts.optional) return null;
      if (v === null || Number.isNaN(v) || v < (opts.min ?? 0)) {
        errs[path] = `Enter a whole number${opts.min ? ` of at least ${opts.min}` : ''}`;
        return 0;
      }
      return v;
    };
    const money = (path: string, min = 0): number => {
      const v = parseMoney(t[path] ?? '', currency);
      if (v === null || v < min) {
        errs[path] = `Enter an amount in ${currency}, e.g. 1.00`;
        return 0;
      }
      return v;
    };
    const share = parsePercentBps(t['redemption.max_share_bps'] ?? '');
    if (share === null || Number.isNaN(share) || share > 10_000)
      errs['redemption.max_share_bps'] = 'Enter a percentage from 0 to 100';
    const levelValues = levels.map((l, i) => {
      const at = `tiers.levels[${i}]`;
      const threshold = basis === 'spend' ? parseMoney(l.threshold, currency) : parseWhole(l.threshold);
      if (threshold === null || Number.isNaN(threshold))
        errs[`${at}.threshold`] =
          basis === 'spend' ? `Enter a spend in ${currency}` : 'Enter a number of orders';
      const mult = Number(l.multiplier);
      if (!l.multiplier.trim() || !Number.isFinite(mult) || mult < 0 || mult > 100)
        errs[`${at}.benefits.earn_multiplier_bps`] = 'Enter a multiplier such as 1 or 1.5';
      const discount = parsePercentBps(l.discount || '0');
      if (discount === null || Number.isNaN(discount) || discount > 10_000)
        errs[`${at}.benefits.discount_bps`] = 'Enter a percentage from 0 to 100';
      if (!l.code.trim()) errs[`${at}.code`] = 'Give the tier a short code, e.g. gold';
      if (!l.name.trim()) errs[`${at}.name`] = 'Give the tier a name customers see';
      return {
        ...l.rest,
        code: l.code.trim(),
        name: l.name.trim(),
        min_spend_minor: basis === 'spend' ? (threshold ?? 0) : l.rest.min_spend_minor,
        min_orders: basis === 'orders' ? (threshold ?? 0) : l.rest.min_orders,
        benefits: {
          earn_multiplier_bps: Math.round(mult * 10_000),
          discount_bps: discount ?? 0,
          free_shipping: l.freeShipping,
        },
      };
    });
    const next: LoyaltyProgram = {
      ...program,
      earn: { points: whole('earn.points') ?? 0, per_amount_minor: money('earn.per_amount_minor', 1) },
      pending_days: whole('pending_days') ?? 0,
      expiry_days: whole('expiry_days', { min: 1, optional: true }),
      redemption: {
        ...program.redemption,
        points: whole('redemption.points', { min: 1 }) ?? 1,
        value_minor: money('redemption.value_minor', 1),
        min_points: whole('redemption.min_points') ?? 0,
        max_points_per_order: whole('redemption.max_points_per_order', { optional: true }),
        max_share_bps: share ?? 10_000,
      },
      bonuses: {
        ...program.bonuses,
        first_order: whole('bonuses.first_order') ?? 0,
        birthday: whole('bonuses.birthday') ?? 0,
        signup: whole('bonuses.signup') ?? 0,
      },
      referral: {
        referrer_points: whole('referral.referrer_points') ?? 0,
        referee_points: whole('referral.referee_points') ?? 0,
        min_order_minor: money('referral.min_order_minor'),
      },
      tiers: {
        ...program.tiers,
        basis,
        window_days: whole('tiers.window_days', { min: 1 }) ?? 365,
        grace_days: whole('tiers.grace_days') ?? 0,
        levels: levelValues,
      },
    };
    setErrors(errs);
    setSaved(false);
    if (Object.keys(errs).length) return;
    setSaving(true);
    try {
      await api('/app/api/loyalty/program', { method: 'PUT', body: next });
      setSaved(true);
      onSaved();
    } catch (err) {
      // Server paths name the stored fields; tier thresholds show on the threshold input.
      const mapped = fieldErrors(err);
      for (const k of Object.keys(mapped)) {
        const m = /^(tiers\.levels\[\d+\])(\.min_spend_minor|\.min_orders)?$/.exec(k);
        if (m) mapped[`${m[1]}.threshold`] = mapped[k];
      }
      const shown = new Set([
        ...Object.keys(t),
        ...levels.flatMap((_, i) => [
          `tiers.levels[${i}].code`,
          `tiers.levels[${i}].name`,
          `tiers.levels[${i}].threshold`,
          `tiers.levels[${i}].benefits.earn_multiplier_bps`,
          `tiers.levels[${i}].benefits.discount_bps`,
        ]),
      ]);
      const rest = Object.entries(mapped).filter(
        ([k]) => k !== '_form' && !shown.has(k) && !/^tiers\.levels\[\d+\]/.test(k),
      );
      if (rest.length)
        mapped._form = [mapped._form, ...rest.map(([k, v]) => `${k}: ${v}`)].filter(Boolean).join('; ');
      setErrors(mapped);
    } finally {
      setSaving(false);
    }
  };

  const num = (path: string, label: string, hint?: string) => (
    <Field id={`l-${path}`} label={label} error={errors[path]} hint={hint}>
      {(a) => <input {...a} inputMode="numeric" {...input(path)} />}
    </Field>
  );
  const amount = (path: string, label: string, hint?: string) => (
    <Field id={`l-${path}`} label={`${label} (${currency})`} error={errors[path]} hint={hint}>
      {(a) => <input {...a} inputMode="decimal" {...input(path)} />}
    </Field>
  );

  return (
    <Card title="Program" subtitle={`Amounts are in ${currency}. Changes apply to orders from now on.`}>
      <form className="settings-form" onSubmit={submit} noValidate aria-label="Loyalty program">
        <FormError message={errors._form} />
        <fieldset>
          <legend>Earning and expiry</legend>
          <div className="form-fields">
            {num('earn.points', 'Points earned', 'For every amount below spent.')}
            {amount('earn.per_amount_minor', 'Per amount spent')}
            {num('pending_days', 'Return window (days)', 'Points wait this long before they can be spent.')}
            {num('expiry_days', 'Points expire after (days)', 'Empty: points never expire.')}
          </div>
        </fieldset>
        <fieldset>
          <legend>Spending points</legend>
          <div className="form-fields">
            {num('redemption.points', 'Points', 'How many points …')}
            {amount('redemption.value_minor', 'Are worth')}
            {num('redemption.min_points', 'Minimum points to spend')}
            {num('redemption.max_points_per_order', 'Most points per order', 'Empty: no limit.')}
            <Field
              id="l-redemption.max_share_bps"
              label="Most of an order paid with points (%)"
              error={errors['redemption.max_share_bps']}
            >
              {(a) => <input {...a} inputMode="decimal" {...input('redemption.max_share_bps')} />}
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Bonus points</legend>
          <div className="form-fields">
            {num('bonuses.first_order', 'First order')}
            {num('bonuses.birthday', 'Birthday')}
            {num('bonuses.signup', 'Sign-up')}
          </div>
        </fieldset>
        <fieldset>
          <legend>Referrals</legend>
          <div className="form-fields">
            {num(
              'referral.referrer_points',
              'Points for the referrer',
              'When the friend’s first order counts.',
            )}
            {num('referral.referee_points', 'Points for the new customer')}
            {amount('referral.min_order_minor', 'The friend’s first order at least')}
          </div>
        </fieldset>
        <fieldset>
          <legend>Tiers</legend>
          <div className="form-fields">
            <Field id="l-tiers-basis" label="Tiers by" hint="Over the window below, rolling.">
              {(a) => (
                <select {...a} value={basis} onChange={(e) => setBasis(e.target.value as 'spend' | 'orders')}>
                  <option value="spend">Spend</option>
                  <option value="orders">Number of orders</option>
                </select>
              )}
            </Field>
            {num('tiers.window_days', 'Window (days)')}
            {num(
              'tiers.grace_days',
              'Grace (days)',
              'How long a customer keeps a tier after falling below it.',
            )}
          </div>
          {levels.length === 0 ? (
            <p className="hint">
              No tiers: add one, lowest first, e.g. Silver from {fmtMoneyMinor(20_000, currency)}.
            </p>
          ) : (
            <div className="table-wrap">
              <table className="table tier-table" data-testid="tier-table">
                <thead>
                  <tr>
                    <th scope="col">Code</th>
                    <th scope="col">Name</th>
                    <th scope="col">{basis === 'spend' ? `From spend (${currency})` : 'From orders'}</th>
                    <th scope="col">Points ×</th>
                    <th scope="col">Discount %</th>
                    <th scope="col">Free shipping</th>
                    <th scope="col">
                      <span className="sr-only">Remove</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {levels.map((l, i) => {
                    const at = `tiers.levels[${i}]`;
                    const cell = (key: keyof LevelForm, path: string, label: string) => (
                      <td>
                        <Field
                          id={`l-${at}-${key}`}
                          label={`${label}, tier ${i + 1}`}
                          error={errors[path] ?? (key === 'code' ? errors[at] : undefined)}
                        >
                          {(a) => (
                            <input
                              {...a}
                              value={String(l[key])}
                              onChange={(e) => setLevel(i, { [key]: e.target.value })}
                            />
                          )}
                        </Field>
                      </td>
                    );
                    return (
                      // biome-ignore lint/suspicious/noArrayIndexKey: a new level has no code yet
                      <tr key={i}>
                        {cell('code', `${at}.code`, 'Code')}
                        {cell('name', `${at}.name`, 'Name')}
                        {cell('threshold', `${at}.threshold`, 'From')}
                        {cell('multiplier', `${at}.benefits.earn_multiplier_bps`, 'Points ×')}
                        {cell('discount', `${at}.benefits.discount_bps`, 'Discount %')}
                        <td>
                          <input
                            type="checkbox"
                            aria-label={`Free shipping, tier ${i + 1}`}
                            checked={l.freeShipping}
                            onChange={(e) => setLevel(i, { freeShipping: e.target.checked })}
                          />
                        </td>
                        <td>
                          <button
                            type="button"
                            className="button button-ghost"
                            onClick={() => setLevels((ls) => ls.filter((_, j) => j !== i))}
                          >
                            Remove<span className="sr-only"> tier {i + 1}</span>
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <button
            type="button"
            className="button"
            onClick={() =>
              setLevels((ls) => [
                ...ls,
                {
                  code: '',
                  name: '',
                  threshold: '',
                  multiplier: '1',
                  discount: '0',
                  freeShipping: false,
                  rest: {
                    code: '',
                    name: '',
                    min_spend_minor: 0,
                    min_orders: 0,
                    benefits: { earn_multiplier_bps: 10_000, discount_bps: 0, free_shipping: false },
                    membership: null,
                    membership_only: false,
                  },
                },
              ])
            }
          >
            Add a tier
          </button>
        </fieldset>
        <div className="form-buttons">
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save settings'}
          </button>
          {Object.keys(errors).length ? (
            <p className="field-message" role="alert">
              Not saved: fix the fields marked above.
            </p>
          ) : null}
          {saved ? (
            <span className="notice" role="status">
              Settings saved.
            </span>
          ) : null}
        </div>
      </form>
    </Card>
  );
}

const KIND: Record<string, string> = {
  earn: 'Earned',
  bonus: 'Bonus',
  return_redeemed: 'Returned from a refund',
  adjust_credit: 'Added by staff',
  redeem: 'Spent',
  reverse_earn: 'Taken back (refund)',
  expire: 'Expired',
  adjust_debit: 'Removed by staff',
};

function sourceText(e: LedgerEntryRow): string {
  const s = e.source;
  if (!s) return '–';
  if (s.type === 'staff') return `Staff: ${s.userId ?? s.user_id ?? 'unknown'}`;
  if (s.type === 'order' || s.type === 'refund') return `Order ${e.order_id ?? s.orderId ?? ''}`.trim();
  if (s.type === 'rule') return `Rule: ${s.rule ?? ''}`;
  return 'System';
}

/** Search a customer, see their points and entries, and adjust them with a reason. */
function CustomerLedger({ customerId }: { customerId: string | null }) {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState<string | null>(null);
  const found = useApi<CustomerPage>(
    query ? `/app/api/customers?q=${encodeURIComponent(query)}&limit=10` : null,
  );
  const pick = (id: string) => {
    setQuery(null);
    navigate(`/loyalty?customer=${encodeURIComponent(id)}`);
  };
  return (
    <Card
      title="A customer's points"
      subtitle="Find a customer by name, email, phone or id to see their ledger."
    >
      <form
        className="ledger-search"
        aria-label="Find a customer"
        onSubmit={(e) => {
          e.preventDefault();
          if (q.trim()) setQuery(q.trim());
        }}
      >
        <Field id="ledger-q" label="Customer">
          {(a) => (
            <input
              {...a}
              type="search"
              value={q}
              onChange={(e) => setQ(e.target.value)}
              placeholder="ana@example.com"
            />
          )}
        </Field>
        <button type="submit" className="button">
          Find
        </button>
      </form>
      {query ? (
        found.error ? (
          <ErrorState error={found.error} retry={found.reload} />
        ) : !found.data ? (
          <Loading label="Searching" />
        ) : found.data.data.length === 0 ? (
          <p className="hint">Nobody matches “{query}”. Try part of the email or the phone number.</p>
        ) : (
          <ul className="pick-list" aria-label="Matching customers">
            {found.data.data.map((c) => (
              <li key={c.id}>
                <button type="button" className="button" onClick={() => pick(c.id)}>
                  <span>{fullName(c)}</span>
                  <span className="hint">{c.email ?? c.phone ?? c.id}</span>
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
      {customerId ? <Ledger key={customerId} customerId={customerId} /> : null}
    </Card>
  );
}

function Ledger({ customerId }: { customerId: string }) {
  const base = `/app/api/customers/${encodeURIComponent(customerId)}`;
  const customer = useApi<Customer360>(base);
  const ledger = useApi<CustomerLoyalty>(`${base}/loyalty`);
  const tier = useApi<CustomerTier>(`${base}/tier`);
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const adjust = async (e: FormEvent) => {
    e.preventDefault();
    const errs: FieldErrors = {};
    const n = parseWhole(points);
    if (n === null || Number.isNaN(n) || n === 0)
      errs.points = 'Enter the points to add, or a negative number to remove, e.g. 50 or -20';
    if (!reason.trim()) errs.reason = 'Say why: the customer and your colleagues see it in the ledger';
    setErrors(errs);
    setDone(null);
    if (Object.keys(errs).length || n === null) return;
    setSaving(true);
    try {
      await api(`${base}/loyalty/adjustments`, {
        method: 'POST',
        body: { points: n, reason: reason.trim() },
      });
      setDone(n > 0 ? `${fmtInt(n)} points added.` : `${fmtInt(-n)} points removed.`);
      setPoints('');
      setReason('');
      ledger.reload();
    } catch (err) {
      setErrors(fieldErrors(err, (p) => p === 'points' || p === 'reason'));
    } finally {
      setSaving(false);
    }
  };

  if (ledger.error) return <ErrorState error={ledger.error} retry={ledger.reload} />;
  if (!ledger.data) return <Loading label="Loading the ledger" />;
  const l = ledger.data;
  const name = customer.data ? fullName(customer.data) : customerId;
  return (
    <div className="stack ledger" data-testid="ledger">
      <h3>
        <Link to={`/customers/${encodeURIComponent(customerId)}`}>{name}</Link>
        {tier.data?.tier ? <Badge tone="info">Tier {tier.data.tier}</Badge> : null}
      </h3>
      <dl className="facts">
        <div>
          <dt>Balance</dt>
          <dd data-testid="ledger-balance">{fmtInt(l.balance)} points</dd>
        </div>
        <div>
          <dt>Can spend now</dt>
          <dd>{fmtInt(l.available)} points</dd>
        </div>
        <div>
          <dt>Pending (return window)</dt>
          <dd>{fmtInt(l.pending)} points</dd>
        </div>
        <div>
          <dt>Expiring next</dt>
          <dd>
            {l.next_expiry
              ? `${fmtInt(l.next_expiry.points)} points on ${fmtDate(l.next_expiry.expires_at)}`
              : 'nothing'}
          </dd>
        </div>
      </dl>
      <form className="codes-form" onSubmit={adjust} noValidate aria-label="Adjust points">
        <FormError message={errors._form} />
        <Field id="adj-points" label="Points (+ to add, − to remove)" error={errors.points}>
          {(a) => (
            <input {...a} inputMode="numeric" value={points} onChange={(e) => setPoints(e.target.value)} />
          )}
        </Field>
        <Field id="adj-reason" label="Reason" error={errors.reason} hint="Required; shown in the ledger.">
          {(a) => <input {...a} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <div className="codes-submit">
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : 'Adjust points'}
          </button>
        </div>
      </form>
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      {l.entries.length === 0 ? (
        <p className="hint">
          No points yet: orders earn points once the program runs, and you can add points above with a reason.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table table-cards" data-testid="ledger-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col" className="num">
                  Points
                </th>
                <th scope="col">Reason</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {l.entries.map((e) => (
                <tr key={e.key}>
                  <td className="cell-main">{fmtDateTime(e.at)}</td>
                  <td data-label="What">{KIND[e.kind] ?? e.kind}</td>
                  <td data-label="Points" className={`num ${e.points >= 0 ? 'points-pos' : 'points-neg'}`}>
                    {e.points > 0 ? '+' : ''}
                    {fmtInt(e.points)}
                  </td>
                  <td data-label="Reason">{e.reason || '–'}</td>
                  <td data-label="By">{sourceText(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
