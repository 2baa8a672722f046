import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { FormError } from '../components/form.tsx';
import { RecomputeNow } from '../components/recompute-now.tsx';
import { Badge, Card, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { fmtDate, fmtPercent, fmtRelative, minorDigits } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import type { NewApiKey } from '../operations-types.ts';
import type { Settings } from '../types.ts';
import '../operations.css';

const ROLE = { owner: 'Owner', marketer: 'Marketer', account_manager: 'Account manager' } as const;

type EditableSettings = Settings & { languages: string[] };
type FieldErrors = Record<string, string>;

/** The server's per-field messages ("analytics.cacMinor" → "zero or more"), or a general one under "". */
function fieldErrors(err: unknown): FieldErrors {
  if (err instanceof ApiError && err.details.length) {
    return Object.fromEntries(err.details.map((d) => [d.path.replace(/\[\d+\]$/, ''), d.message]));
  }
  return { '': (err as Error).message };
}

function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** Props that tie an input to its message for screen readers. */
const described = (id: string, errors: FieldErrors, path: string, hint = false) => ({
  id,
  'aria-invalid': errors[path] ? true : undefined,
  'aria-describedby': errors[path] ? `${id}-error` : hint ? `${id}-hint` : undefined,
});

export function SettingsPage() {
  useTitle('Settings');
  const s = useApi<EditableSettings>('/app/api/settings');
  if (s.error) return <ErrorState error={s.error} retry={s.reload} />;
  if (!s.data) return <Loading label="Loading settings" />;
  return <SettingsForms settings={s.data} reload={s.reload} />;
}

function SettingsForms({ settings, reload }: { settings: EditableSettings; reload: () => void }) {
  const { store, analytics, users, api_keys } = settings;
  const digits = minorDigits(store.currency);
  const [form, setForm] = useState({
    name: store.name,
    currency: store.currency,
    timezone: store.timezone,
    languages: settings.languages.join(', '),
    sleepingFactor: String(analytics.sleepingFactor),
    cac: String(analytics.cacMinor / 10 ** digits),
    lifetimeYears: String(analytics.lifetimeYears),
    horizonWeeks: String(analytics.horizonWeeks),
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [recompute, setRecompute] = useState(0);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setErrors({});
    setSaved(null);
    const number = (v: string) => (v.trim() === '' ? Number.NaN : Number(v.replace(',', '.')));
    const cac = number(form.cac);
    try {
      const res = await api<{ scores_affected: boolean }>('/app/api/settings', {
        method: 'PATCH',
        body: {
          name: form.name,
          currency: form.currency,
          timezone: form.timezone,
          languages: form.languages
            .split(/[\s,;]+/)
            .map((l) => l.trim())
            .filter(Boolean),
          analytics: {
            sleepingFactor: number(form.sleepingFactor),
            cacMinor: Number.isFinite(cac) ? Math.round(cac * 10 ** digits) : cac,
            lifetimeYears: number(form.lifetimeYears),
            horizonWeeks: number(form.horizonWeeks),
          },
        },
      });
      setSaved('Settings saved.');
      if (res.scores_affected) setRecompute((n) => n + 1);
      reload();
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <PageHeader title="Settings" subtitle={`${store.name} (${store.slug})`} />
      <div className="stack ops-stack">
        {saved ? (
          <p className="notice" role="status">
            {saved}
          </p>
        ) : null}
        {recompute > 0 ? (
          <RecomputeNow
            key={recompute}
            reason="These changes affect the scores (who is sleeping, customer value). Recompute them now, or they change with tonight's run."
          />
        ) : null}
        <form onSubmit={save} aria-label="Store settings" noValidate>
          <div className="grid grid-2">
            <Card
              title="Store"
              subtitle={`Created ${fmtDate(store.created_at)}. The slug (${store.slug}) never changes.`}
            >
              <div className="form-grid">
                <Field id="set-name" label="Store name" error={errors.name}>
                  <input
                    {...described('set-name', errors, 'name')}
                    value={form.name}
                    onChange={set('name')}
                  />
                </Field>
                <Field
                  id="set-currency"
                  label="Currency"
                  hint="Three letters: EUR, USD, RON … Amounts are not converted: change it only if it was set wrong."
                  error={errors.currency}
                >
                  <input
                    {...described('set-currency', errors, 'currency', true)}
                    value={form.currency}
                    onChange={set('currency')}
                  />
                </Field>
                <Field
                  id="set-timezone"
                  label="Time zone"
                  hint="e.g. Europe/Bucharest"
                  error={errors.timezone}
                >
                  <input
                    {...described('set-timezone', errors, 'timezone', true)}
                    value={form.timezone}
                    onChange={set('timezone')}
                  />
                </Field>
                <Field
                  id="set-languages"
                  label="Languages"
                  hint="Codes separated by commas, the main one first: en, ro, tr"
                  error={errors.languages}
                >
                  <input
                    {...described('set-languages', errors, 'languages', true)}
                    value={form.languages}
                    onChange={set('languages')}
                  />
                </Field>
              </div>
            </Card>
            <Card
              title="Analytics"
              subtitle="How the report judges customers. Changing these changes the scores."
            >
              <div className="form-grid">
                <Field
                  id="set-sleeping"
                  label="Sleeping after (usual intervals)"
                  hint="No order for this many of a customer's usual gaps between orders: sleeping. Default 3."
                  error={errors['analytics.sleepingFactor']}
                >
                  <input
                    {...described('set-sleeping', errors, 'analytics.sleepingFactor', true)}
                    type="number"
                    step="0.5"
                    min="1"
                    max="10"
                    value={form.sleepingFactor}
                    onChange={set('sleepingFactor')}
                  />
                </Field>
                <Field
                  id="set-cac"
                  label={`Acquisition cost per customer (${store.currency})`}
                  hint="What winning one customer costs you; net LTV subtracts it."
                  error={errors['analytics.cacMinor']}
                >
                  <input
                    {...described('set-cac', errors, 'analytics.cacMinor', true)}
                    type="number"
                    step="any"
                    min="0"
                    value={form.cac}
                    onChange={set('cac')}
                  />
                </Field>
                <Field
                  id="set-lifetime"
                  label="Customer lifetime (years)"
                  hint={`For the simple CLV; now ${analytics.lifetimeYears}.`}
                  error={errors['analytics.lifetimeYears']}
                >
                  <input
                    {...described('set-lifetime', errors, 'analytics.lifetimeYears', true)}
                    type="number"
                    step="0.5"
                    value={form.lifetimeYears}
                    onChange={set('lifetimeYears')}
                  />
                </Field>
                <Field
                  id="set-horizon"
                  label="Prediction horizon (weeks)"
                  hint={`Monthly discount rate ${fmtPercent(analytics.monthlyDiscountRate)}; model ${analytics.model === 'auto' ? 'chosen automatically' : analytics.model}.`}
                  error={errors['analytics.horizonWeeks']}
                >
                  <input
                    {...described('set-horizon', errors, 'analytics.horizonWeeks', true)}
                    type="number"
                    step="1"
                    value={form.horizonWeeks}
                    onChange={set('horizonWeeks')}
                  />
                </Field>
              </div>
            </Card>
          </div>
          {errors[''] ? (
            <p className="form-error" role="alert">
              {errors['']}
            </p>
          ) : Object.keys(errors).length ? (
            <p className="form-error" role="alert">
              Some settings need fixing: see the messages under the fields.
            </p>
          ) : null}
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        </form>
        <Card
          title="People"
          subtitle={
            <>
              Add someone with <code>npx comeback users create --store {store.slug} --email … --role …</code>
            </>
          }
        >
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Added</th>
                  <th scope="col">Last sign-in</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id}>
                    <td>{u.email}</td>
                    <td>{ROLE[u.role]}</td>
                    <td>{fmtDate(u.created_at)}</td>
                    <td>{u.last_login_at ? fmtRelative(u.last_login_at) : 'never'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
        {api_keys ? <ApiKeys keys={api_keys} reload={reload} /> : null}
      </div>
    </>
  );
}

function ApiKeys({ keys, reload }: { keys: NonNullable<Settings['api_keys']>; reload: () => void }) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setCreated(await api<NewApiKey>('/app/api/api-keys', { method: 'POST', body: { name } }));
      setName('');
      reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api(`/app/api/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
      setConfirming(null);
      if (created?.key.id === id) setCreated(null);
      reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card
      title="API keys"
      subtitle="For your shop, CRM or developer: each key can read and write this store's data through the API. Keys are stored hashed; the full key is shown once."
    >
      <form className="inline-form" onSubmit={create} aria-label="Create an API key">
        <div className="field">
          <label htmlFor="key-name">Name of the new key</label>
          <input
            id="key-name"
            value={name}
            maxLength={200}
            placeholder="e.g. Shop sync"
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <button type="submit" className="button button-primary">
          Create key
        </button>
      </form>
      {created ? (
        <div className="banner" role="status" data-testid="new-key">
          <p>
            <strong>Copy this key now:</strong> it is not shown again.
          </p>
          <p className="secret">{created.secret}</p>
        </div>
      ) : null}
      <FormError message={error} />
      <div className="table-wrap">
        <table className="table" data-testid="api-keys">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.name || '–'}</td>
                <td>{fmtDate(k.created_at)}</td>
                <td>{k.last_used_at ? fmtRelative(k.last_used_at) : 'never'}</td>
                <td>
                  {k.revoked_at ? (
                    <Badge tone="bad">Revoked</Badge>
                  ) : confirming === k.id ? (
                    <span className="form-actions">
                      <button
                        type="button"
                        className="button button-danger"
                        onClick={() => void revoke(k.id)}
                      >
                        Yes, revoke {k.prefix}
                      </button>
                      <button type="button" className="button" onClick={() => setConfirming(null)}>
                        Keep
                      </button>
                    </span>
                  ) : (
                    <span className="form-actions">
                      <Badge tone="good">Active</Badge>
                      <button type="button" className="button" onClick={() => setConfirming(k.id)}>
                        Revoke<span className="visually-hidden"> {k.prefix}</span>
                      </button>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
