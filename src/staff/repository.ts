import { createHash, randomBytes } from 'node:crypto';
import { PG_UNIQUE_VIOLATION, pgErrorCode, type Queryable } from '../db/client.ts';
import { ComebackError } from '../kernel/errors.ts';
import type { IdGenerator } from '../kernel/ids.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password.ts';
import { STAFF_ROLES, type StaffRole } from './rules.ts';

export interface StaffUser {
  id: string;
  store_id: string;
  email: string;
  role: StaffRole;
  created_at: Date;
  last_login_at: Date | null;
}

const USER_COLUMNS = 'id, store_id, email, role, created_at, last_login_at';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Checks a new user's fields; throws VALIDATION_FAILED naming each bad one. */
export function validateNewUser(input: { email: string; role: string; password: string }): void {
  const details = [];
  if (!EMAIL.test(normaliseEmail(input.email)) || input.email.length > 320)
    details.push({ path: 'email', message: 'must be an email address' });
  if (!(STAFF_ROLES as readonly string[]).includes(input.role))
    details.push({ path: 'role', message: `must be one of ${STAFF_ROLES.join(', ')}` });
  if (input.password.length < MIN_PASSWORD_LENGTH)
    details.push({ path: 'password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` });
  if (input.password.length > MAX_PASSWORD_LENGTH)
    details.push({ path: 'password', message: `must be at most ${MAX_PASSWORD_LENGTH} characters` });
  if (details.length) throw new ComebackError('VALIDATION_FAILED', 'The user is invalid', details);
}

/** Creates a staff user of a store; the password is stored as an scrypt hash only. */
export async function createStaffUser(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
  input: { email: string; role: StaffRole; password: string },
): Promise<StaffUser> {
  validateNewUser(input);
  const hash = await hashPassword(input.password);
  try {
    const res = await q.query<StaffUser>(
      `insert into staff_users (store_id, id, email, password_hash, role) values ($1, $2, $3, $4, $5)
       returning ${USER_COLUMNS}`,
      [storeId, ids('staffUser'), normaliseEmail(input.email), hash, input.role],
    );
    return res.rows[0];
  } catch (err) {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
      throw new ComebackError(
        'CONFLICT',
        `A user with the email ${normaliseEmail(input.email)} already exists`,
        [{ path: 'email', message: 'already taken in this store' }],
      );
    }
    throw err;
  }
}

export async function listStaffUsers(q: Queryable, storeId: string): Promise<StaffUser[]> {
  const res = await q.query<StaffUser>(
    `select ${USER_COLUMNS} from staff_users where store_id = $1 and disabled_at is null order by created_at, id`,
    [storeId],
  );
  return res.rows;
}

export async function findStaffUser(q: Queryable, storeId: string, email: string): Promise<StaffUser | null> {
  const res = await q.query<StaffUser>(
    `select ${USER_COLUMNS} from staff_users where store_id = $1 and email = $2`,
    [storeId, normaliseEmail(email)],
  );
  return res.rows[0] ?? null;
}

/** Sign-in candidates: the active users with this email in any store (or in the store with this slug). */
export async function signInCandidates(q: Queryable, email: string, storeSlug?: string) {
  const res = await q.query<StaffUser & { password_hash: string; store_slug: string }>(
    `select u.id, u.store_id, u.email, u.role, u.created_at, u.last_login_at, u.password_hash, s.slug as store_slug
     from staff_users u join stores s on s.id = u.store_id
     where u.email = $1 and u.disabled_at is null and ($2::text is null or s.slug = $2)
     order by s.slug limit 20`,
    [normaliseEmail(email), storeSlug ?? null],
  );
  return res.rows;
}

/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Opens a session: returns the cookie token (only its hash is stored) and the CSRF token. */
export async function createSession(
  q: Queryable,
  user: { store_id: string; id: string },
  now: Date,
  userAgent: string | undefined,
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await q.query(
    `insert into staff_sessions (store_id, id, user_id, csrf_token, created_at, last_seen_at, expires_at, user_agent)
     values ($1, $2, $3, $4, $5, $5, $6, $7)`,
    [user.store_id, tokenHash(token), user.id, csrfToken, now, expiresAt, userAgent?.slice(0, 500) ?? null],
  );
  // Sign-in is rare: a good moment to forget this user's expired sessions.
  await q.query('delete from staff_sessions where store_id = $1 and user_id = $2 and expires_at < $3', [
    user.store_id,
    user.id,
    now,
  ]);
  await q.query('update staff_users set last_login_at = $3 where store_id = $1 and id = $2', [
    user.store_id,
    user.id,
    now,
  ]);
  return { token, csrfToken, expiresAt };
}

export interface StaffSession {
  storeId: string;
  userId: string;
  email: string;
  role: StaffRole;
  csrfToken: string;
  expiresAt: Date;
}

/** The live session of a cookie token, or null (unknown, expired, or its user disabled). */
export async function findSession(q: Queryable, token: string, now: Date): Promise<StaffSession | null> {
  const res = await q.query<{
    store_id: string;
    user_id: string;
    email: string;
    role: StaffRole;
    csrf_token: string;
    expires_at: Date;
  }>(
    `select k.store_id, k.user_id, u.email, u.role, k.csrf_token, k.expires_at
     from staff_sessions k join staff_users u on u.store_id = k.store_id and u.id = k.user_id
     where k.id = $1 and k.expires_at > $2 and u.disabled_at is null`,
    [tokenHash(token), now],
  );
  const r = res.rows[0];
  return r
    ? {
        storeId: r.store_id,
        userId: r.user_id,
        email: r.email,
        role: r.role,
        csrfToken: r.csrf_token,
        expiresAt: r.expires_at,
      }
    : null;
}

export async function deleteSession(q: Queryable, token: string): Promise<void> {
  await q.query('delete from staff_sessions where id = $1', [tokenHash(token)]);
}
