import { Badge, Card, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { fmtDate, fmtMoneyMinor, fmtPercent, fmtRelative } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import type { Settings } from '../types.ts';

const ROLE = { owner: 'Owner', marketer: 'Marketer', account_manager: 'Account manager' } as const;

export function SettingsPage() {
  useTitle('Settings');
  const s = useApi<Settings>('/app/api/settings');
  if (s.error) return <ErrorState error={s.error} retry={s.reload} />;
  if (!s.data) return <Loading label="Loading settings" />;
  const { store, analytics, users, api_keys } = s.data;
  return (
    <>
      <PageHeader title="Settings" subtitle={`${store.name} (${store.slug})`} />
      <div className="stack">
        <div className="grid grid-2">
          <Card title="Store">
            <dl className="facts">
              <div>
                <dt>Name</dt>
                <dd>{store.name}</dd>
              </div>
              <div>
                <dt>Slug</dt>
                <dd>
                  <code>{store.slug}</code>
                </dd>
              </div>
              <div>
                <dt>Currency</dt>
                <dd>{store.currency}</dd>
              </div>
              <div>
                <dt>Time zone</dt>
                <dd>{store.timezone}</dd>
              </div>
              <div>
                <dt>Created</dt>
                <dd>{fmtDate(store.created_at)}</dd>
              </div>
            </dl>
          </Card>
          <Card title="Analytics" subtitle="How the report judges customers (stores.settings.analytics).">
            <dl className="facts">
              <div>
                <dt>Sleeping after</dt>
                <dd>{analytics.sleepingFactor} usual intervals without an order</dd>
              </div>
              <div>
                <dt>Prediction horizon</dt>
                <dd>{analytics.horizonWeeks} weeks</dd>
              </div>
              <div>
                <dt>Customer lifetime (simple CLV)</dt>
                <dd>{analytics.lifetimeYears} years</dd>
              </div>
              <div>
                <dt>Monthly discount rate</dt>
                <dd>{fmtPercent(analytics.monthlyDiscountRate)}</dd>
              </div>
              <div>
                <dt>Acquisition cost</dt>
                <dd>{fmtMoneyMinor(analytics.cacMinor, store.currency)}</dd>
              </div>
              <div>
                <dt>Model</dt>
                <dd>{analytics.model === 'auto' ? 'chosen automatically' : analytics.model}</dd>
              </div>
            </dl>
          </Card>
        </div>
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
        {api_keys ? (
          <Card
            title="API keys"
            subtitle={
              <>
                Keys are shown once when made and stored hashed.{' '}
                <code>npx comeback keys create --store {store.slug}</code>
              </>
            }
          >
            <div className="table-wrap">
              <table className="table">
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
                  {api_keys.map((k) => (
                    <tr key={k.id}>
                      <td>
                        <code>{k.prefix}…</code>
                      </td>
                      <td>{k.name || '–'}</td>
                      <td>{fmtDate(k.created_at)}</td>
                      <td>{k.last_used_at ? fmtRelative(k.last_used_at) : 'never'}</td>
                      <td>
                        {k.revoked_at ? <Badge tone="bad">Revoked</Badge> : <Badge tone="good">Active</Badge>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        ) : null}
      </div>
    </>
  );
}
