import { createHash } from 'node:crypto';
import type { Queryable } from '../db/client.ts';

/**
 * Failed sign-ins allowed per key in a window before further attempts are refused (429 until the
 * window ends). Per email: 5 in 15 minutes stops password guessing on one account; per IP address:
 * 30 in 15 minutes stops one machine trying many accounts, yet leaves room for an office behind one
 * address. Counted in the database (login_failures) so the limit holds across several API servers.
 */
export const LOGIN_LIMITS = {
  email: { failures: 5, windowMs: 15 * 60_000 },
  ip: { failures: 30, windowMs: 15 * 60_000 },
} as const;

type KeyKind = keyof typeof LOGIN_LIMITS;

export interface ThrottleKey {
  kind: KeyKind;
  key: string;
}

/** The throttle keys of a sign-in: the email (hashed: the table holds no addresses) and the client's IP. */
export function loginKeys(email: string, ip: string): ThrottleKey[] {
  const digest = createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
  return [
    { kind: 'email', key: `email:${digest}` },
    { kind: 'ip', key: `ip:${ip}` },
  ];
}

/** Seconds until a sign-in with these keys may be tried again, or null when it may be tried now. */
export async function loginRetryAfter(q: Queryable, keys: ThrottleKey[], now: Date): Promise<number | null> {
  const res = await q.query<{ key: string; failures: number; window_ends_at: Date }>(
    'select key, failures, window_ends_at from login_failures where key = any($1::text[]) and window_ends_at > $2',
    [keys.map((k) => k.key), now],
  );
  let wait: number | null = null;
  for (const row of res.rows) {
    const kind = keys.find((k) => k.key === row.key)!.kind;
    if (Number(row.failures) < LOGIN_LIMITS[kind].failures) continue;
    const seconds = Math.max(1, Math.ceil((new Date(row.window_ends_at).getTime() - now.getTime()) / 1000));
    wait = Math.max(wait ?? 0, seconds);
  }
  return wait;
}

/** Counts a failed sign-in against each key: the first failure opens a window, later ones add to it. */
export async function recordLoginFailure(q: Queryable, keys: ThrottleKey[], now: Date): Promise<void> {
  for (const k of keys) {
    await q.query(
      `insert into login_failures (key, failures, window_ends_at) values ($1, 1, $3)
       on conflict (key) do update set
         failures = case when login_failures.window_ends_at <= $2 then 1 else login_failures.failures + 1 end,
         window_ends_at = case when login_failures.window_ends_at <= $2 then excluded.window_ends_at
                          else login_failures.window_ends_at end`,
      [k.key, now, new Date(now.getTime() + LOGIN_LIMITS[k.kind].windowMs)],
    );
  }
  // Forget windows that ended: the table stays as small as the current attacks.
  await q.query('delete from login_failures where window_ends_at < $1', [now]);
}

/** After a successful sign-in the account's count starts again (the IP's does not). */
export async function clearLoginFailures(q: Queryable, keys: ThrottleKey[]): Promise<void> {
  const email = keys.filter((k) => k.kind === 'email').map((k) => k.key);
  await q.query('delete from login_failures where key = any($1::text[])', [email]);
}
