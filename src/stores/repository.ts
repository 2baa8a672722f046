import { createHash, randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../db/client.ts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../db/client.ts';
import { ComebackError, notFound } from '../kernel/errors.ts';
import type { IdGenerator } from '../kernel/ids.ts';

export interface Store {
  id: string;
  slug: string;
  name: string;
  currency: string;
  timezone: string;
  settings: Record<string, unknown>;
  created_at: Date;
}

export interface ApiKey {
  id: string;
  store_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export const STORE_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export async function createStore(
  db: Queryable,
  ids: IdGenerator,
  input: { slug: string; name?: string; currency?: string; timezone?: string },
): Promise<Store> {
  if (!STORE_SLUG.test(input.slug)) {
    throw new ComebackError('VALIDATION_FAILED', 'A store slug is lower-case letters, digits and dashes', [
      { path: 'slug', message: 'must match ^[a-z0-9][a-z0-9-]{0,62}$' },
    ]);
  }
  try {
    const res = await db.query<Store>(
      `insert into stores (id, slug, name, currency, timezone) values ($1, $2, $3, $4, $5)
       returning id, slug, name, currency, timezone, settings, created_at`,
      [ids('store'), input.slug, input.name ?? input.slug, input.currency ?? 'EUR', input.timezone ?? 'UTC'],
    );
    return res.rows[0];
  } catch (err) {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
      throw new ComebackError('STORE_EXISTS', `A store with the slug ${input.slug} already exists`, [
        { path: 'slug', message: 'already taken' },
      ]);
    }
    throw err;
  }
}

/** The store's default currency (what imports read amounts in unless told). */
export async function storeCurrency(db: Queryable, storeId: string): Promise<string> {
  const res = await db.query<{ currency: string }>('select currency from stores where id = $1', [storeId]);
  return res.rows[0].currency;
}

export async function findStoreBySlug(db: Queryable, slug: string): Promise<Store | null> {
  const res = await db.query<Store>(
    'select id, slug, name, currency, timezone, settings, created_at from stores where slug = $1',
    [slug],
  );
  return res.rows[0] ?? null;
}

export async function getStoreBySlug(db: Queryable, slug: string): Promise<Store> {
  const store = await findStoreBySlug(db, slug);
  if (!store) throw notFound('Store', slug);
  return store;
}

export async function listStores(db: Queryable): Promise<Store[]> {
  const res = await db.query<Store>(
    'select id, slug, name, currency, timezone, settings, created_at from stores order by slug',
  );
  return res.rows;
}

export function hashSecret(secret: string): string {
  // Keys are 192-bit random: a fast hash is safe here (unlike passwords) and keeps auth cheap.
  return createHash('sha256').update(secret).digest('hex');
}

/** Creates an API key; the secret is returned once and only its hash is stored. */
export async function createApiKey(
  db: Queryable,
  ids: IdGenerator,
  storeId: string,
  name = '',
): Promise<{ key: ApiKey; secret: string }> {
  const prefix = `cb_${randomBytes(4).toString('hex')}`;
  const secret = `${prefix}_${randomBytes(24).toString('base64url')}`;
  const res = await db.query<ApiKey>(
    `insert into api_keys (store_id, id, name, prefix, secret_hash) values ($1, $2, $3, $4, $5)
     returning id, store_id, name, prefix, created_at, last_used_at, revoked_at`,
    [storeId, ids('apiKey'), name, prefix, hashSecret(secret)],
  );
  return { key: res.rows[0], secret };
}

export async function listApiKeys(db: Queryable, storeId: string): Promise<ApiKey[]> {
  const res = await db.query<ApiKey>(
    `select id, store_id, name, prefix, created_at, last_used_at, revoked_at
     from api_keys where store_id = $1 order by created_at, id`,
    [storeId],
  );
  return res.rows;
}

/**
 * Called when this process revokes a key: servers remembering keys (api-key-cache.ts) forget them
 * at once here, before the database's notification reaches every process.
 */
const revokedHere = new Set<() => void>();

export function onApiKeyRevoked(fn: () => void): () => void {
  revokedHere.add(fn);
  return () => revokedHere.delete(fn);
}

/** Revokes by id or by the shown prefix. */
export async function revokeApiKey(db: Queryable, storeId: string, idOrPrefix: string): Promise<ApiKey> {
  const res = await db.query<ApiKey>(
    `update api_keys set revoked_at = coalesce(revoked_at, now())
     where store_id = $1 and (id = $2 or prefix = $2)
     returning id, store_id, name, prefix, created_at, last_used_at, revoked_at`,
    [storeId, idOrPrefix],
  );
  if (!res.rows[0]) throw notFound('API key', idOrPrefix);
  for (const fn of revokedHere) fn();
  return res.rows[0];
}

export interface Principal {
  storeId: string;
  keyId: string;
}

/** Finds the store a bearer secret's hash belongs to; null for unknown or revoked keys. */
export async function authenticateApiKey(db: Db, secretHash: string): Promise<Principal | null> {
  const res = await db.query<{ store_id: string; id: string; last_used_at: Date | null }>(
    'select store_id, id, last_used_at from api_keys where secret_hash = $1 and revoked_at is null',
    [secretHash],
    // Prepared: every API request runs it, and planning it cost as much as running it.
    'api_key_lookup',
  );
  const row = res.rows[0];
  if (!row) return null;
  // Touch last_used_at at most once a minute: auth stays a read on the hot path.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    db.query('update api_keys set last_used_at = now() where store_id = $1 and id = $2', [
      row.store_id,
      row.id,
    ]).catch(() => {});
  }
  return { storeId: row.store_id, keyId: row.id };
}
