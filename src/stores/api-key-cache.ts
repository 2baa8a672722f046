/**
 * Which store an API key opens, remembered by the server so that an API request does not read
 * `api_keys` on every call (a database round trip per request, a sixth of a checkout commit's
 * cost). A key's change reaches every server at once: migration 0015's trigger notifies
 * `comeback_api_keys` in the transaction that revokes (or deletes) a key, however it is made, and
 * each notification forgets everything remembered (a revocation made by this process, at once).
 * Remembered answers are trusted only while the notifications are sure to arrive (the listening
 * connection is up, and was up since the answer was read), and for 10 seconds at most. Unknown and
 * revoked keys are never remembered: they are asked of the database every time. The listening
 * connection must reach PostgreSQL itself (or a pooler in session mode): behind a pooler in
 * transaction mode LISTEN hears nothing.
 */

import type { Db, Listening } from '../db/client.ts';
import { authenticateApiKey, hashSecret, onApiKeyRevoked, type Principal } from './repository.ts';

export const API_KEYS_CHANNEL = 'comeback_api_keys';
/**
 * An answer's lifetime: the bound on a revocation's delay should the listening connection die
 * without a word (a network partition found only by keepalives).
 */
const REMEMBER_MS = 10_000;
/** Keys remembered at most (all are forgotten past it: a server sees few keys). */
const MAX_KEYS = 10_000;

interface Remembered {
  principal: Principal;
  at: number;
  /** The notifications seen when it was read: any later one makes it stale. */
  epoch: number;
}

export interface ApiKeyAuthenticator {
  authenticate(secret: string): Promise<Principal | null>;
  close(): Promise<void>;
}

/** Authenticates bearer secrets against `db`, remembering what it can (see the module's comment). */
export function apiKeyAuthenticator(db: Db, now: () => number = Date.now): ApiKeyAuthenticator {
  const known = new Map<string, Remembered>();
  let epoch = 0;
  const forget = () => {
    epoch++;
    known.clear();
  };
  const unhook = onApiKeyRevoked(forget);
  let listening: Promise<Listening | null> | null = null;
  const listen = () => {
    // Without notifications nothing is remembered: every request reads the key.
    listening ??= db.listen(API_KEYS_CHANNEL, forget, forget).catch(() => null);
    return listening;
  };
  return {
    async authenticate(secret) {
      const hash = hashSecret(secret);
      const l = await listen();
      const seen = known.get(hash);
      if (l?.live && seen !== undefined && seen.epoch === epoch && now() - seen.at < REMEMBER_MS)
        return seen.principal;
      const before = epoch;
      const at = now();
      const principal = await authenticateApiKey(db, hash);
      // A notification while it was read may be this key's revocation: the answer is not kept.
      if (principal !== null && l?.live && epoch === before) {
        if (known.size >= MAX_KEYS) known.clear();
        known.set(hash, { principal, at, epoch });
      }
      return principal;
    },
    async close() {
      unhook();
      forget();
      await (await listening)?.close();
    },
  };
}
