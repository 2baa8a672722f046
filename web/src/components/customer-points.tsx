import { fmtDate, fmtInt, fmtMoneyMinor } from '../format.ts';
import { useApi } from '../hooks.ts';
import type { CustomerLoyalty, CustomerTier } from '../marketing-types.ts';
import { Link } from '../router.tsx';
import { useCan, useSession } from '../session.tsx';
import { Badge, Card } from './ui.tsx';

/** The customer 360 page's loyalty card: points, tier and the latest entries (for roles with `loyalty`). */
export function PointsCard({ customerId }: { customerId: string }) {
  const allowed = useCan('loyalty');
  return allowed ? <Points customerId={customerId} /> : null;
}

function Points({ customerId }: { customerId: string }) {
  const { me } = useSession();
  const base = `/app/api/customers/${encodeURIComponent(customerId)}`;
  const points = useApi<CustomerLoyalty>(`${base}/loyalty`);
  const tier = useApi<CustomerTier>(`${base}/tier`);
  const ledger = `/loyalty?customer=${encodeURIComponent(customerId)}`;
  if (points.error || !points.data) return null;
  const p = points.data;
  const t = tier.data;
  return (
    <Card
      title="Loyalty"
      subtitle="Points and tier; every change is in the ledger."
      actions={
        <Link to={ledger} className="button">
          Open the ledger
        </Link>
      }
    >
      <dl className="facts" data-testid="customer-points">
        <div>
          <dt>Points</dt>
          <dd>
            {fmtInt(p.balance)} ({fmtInt(p.available)} to spend, {fmtInt(p.pending)} pending)
          </dd>
        </div>
        <div>
          <dt>Tier</dt>
          <dd>
            {t?.tier ? <Badge tone="info">{t.tier}</Badge> : 'none'}
            {t?.grace_until ? ` (kept until ${fmtDate(t.grace_until)})` : ''}
          </dd>
        </div>
        <div>
          <dt>Expiring next</dt>
          <dd>
            {p.next_expiry
              ? `${fmtInt(p.next_expiry.points)} on ${fmtDate(p.next_expiry.expires_at)}`
              : 'nothing'}
          </dd>
        </div>
        <div>
          <dt>Spend in the tier window</dt>
          <dd>{t ? fmtMoneyMinor(t.rolling_spend_minor, me.store.currency) : '–'}</dd>
        </div>
      </dl>
      {p.entries.length ? (
        <ul className="points-timeline">
          {p.entries.slice(0, 5).map((e) => (
            <li key={e.key}>
              <span className={e.points >= 0 ? 'points-pos' : 'points-neg'}>
                {e.points > 0 ? '+' : ''}
                {fmtInt(e.points)}
              </span>{' '}
              {fmtDate(e.at)} · {e.reason || e.kind}
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">No points yet.</p>
      )}
    </Card>
  );
}
