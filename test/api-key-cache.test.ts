import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../src/db/client.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { type ApiKeyAuthenticator, apiKeyAuthenticator } from '../src/stores/api-key-cache.ts';
import { createApiKey, hashSecret, revokeApiKey } from '../src/stores/repository.ts';
import { describeEachDb } from './db.ts';
import { storeWithKey } from './helpers.ts';

/** `db`, counting the reads of api_keys that go through it. */
function counted(db: Db): { db: Db; reads: () => number } {
  let n = 0;
  return {
    db: {
      ...db,
      query: (text, params, name) => {
        if (text.includes('from api_keys')) n++;
        return db.query(text, params, name);
      },
    },
    reads: () => n,
  };
}

/** Polls `check` until it holds or `ms` pass; the time it took, or null. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}

describeEachDb('API keys remembered by the server', (getDb, kind) => {
  let spy: ReturnType<typeof counted>;
  let keys: ApiKeyAuthenticator;
  let storeId: string;

  beforeAll(async () => {
    spy = counted(getDb());
    keys = apiKeyAuthenticator(spy.db);
    ({ storeId } = await storeWithKey(getDb(), 'cache-a'));
  });
  afterAll(async () => {
    await keys.close();
  });

  const created = () => createApiKey(getDb(), createIdGenerator(), storeId);
  const newKey = async () => (await created()).secret;

  it('reads a key once, then answers from memory', async () => {
    const secret = await newKey();
    const before = spy.reads();
    for (let i = 0; i < 5; i++) expect(await keys.authenticate(secret)).toMatchObject({ storeId });
    expect(spy.reads() - before).toBe(1);
  });

  it('never remembers an unknown key', async () => {
    const before = spy.reads();
    for (let i = 0; i < 3; i++) expect(await keys.authenticate('cb_nope_nothing')).toBeNull();
    expect(spy.reads() - before).toBe(3);
  });

  it('refuses a key this process revoked at once', async () => {
    const { key, secret } = await created();
    expect(await keys.authenticate(secret)).not.toBeNull();
    await revokeApiKey(getDb(), storeId, key.id);
    expect(await keys.authenticate(secret)).toBeNull();
  });

  it('refuses a key revoked outside the app (plain SQL) once the notification arrives', async () => {
    const secret = await newKey();
    expect(await keys.authenticate(secret)).not.toBeNull();
    await getDb().query('update api_keys set revoked_at = now() where secret_hash = $1', [
      hashSecret(secret),
    ]);
    const took = await within(2000, async () => (await keys.authenticate(secret)) === null);
    expect(took).not.toBeNull();
  });

  it('is not told of last_used_at touches (they would make it forget every key)', async () => {
    const secret = await newKey();
    await keys.authenticate(secret);
    const before = spy.reads();
    await getDb().query('update api_keys set last_used_at = now() where store_id = $1', [storeId]);
    await new Promise((r) => setTimeout(r, 100));
    expect(await keys.authenticate(secret)).not.toBeNull();
    expect(spy.reads() - before).toBe(0);
  });

  if (kind === 'postgres') {
    it('trusts nothing while its listening connection is down, and a revocation made then is seen', async () => {
      const secret = await newKey();
      expect(await keys.authenticate(secret)).not.toBeNull();
      // Kill the listening connection, and revoke while it is down (its notification is lost).
      await getDb().query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and query = 'listen comeback_api_keys'`,
      );
      // Long enough to see the connection close, shorter than the second before it reconnects.
      await new Promise((r) => setTimeout(r, 200));
      await getDb().query('update api_keys set revoked_at = now() where secret_hash = $1', [
        hashSecret(secret),
      ]);
      expect(await keys.authenticate(secret)).toBeNull();
      // It listens again, and remembers again.
      const fresh = await newKey();
      const back = await within(3000, async () => {
        const before = spy.reads();
        await keys.authenticate(fresh);
        await keys.authenticate(fresh);
        return spy.reads() - before === 1;
      });
      expect(back).not.toBeNull();
      // Killed again and again, it ends up with one listening connection, not one per loss.
      const listeners = async () =>
        (
          await getDb().query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
             where datname = current_database() and query = 'listen comeback_api_keys'`,
          )
        ).rows[0].n;
      for (let i = 0; i < 3; i++) {
        await getDb().query(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where datname = current_database() and query = 'listen comeback_api_keys'`,
        );
        await new Promise((r) => setTimeout(r, 300));
      }
      const seen: number[] = [];
      expect(
        await within(5000, async () => {
          const n = await listeners();
          seen.push(n);
          return n === 1;
        }),
        JSON.stringify(seen),
      ).not.toBeNull();
      await new Promise((r) => setTimeout(r, 1500));
      expect(await listeners()).toBe(1);
    });
  }
});
