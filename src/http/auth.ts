import type { FastifyInstance } from 'fastify';
import { ComebackError } from '../kernel/errors.ts';
import { apiKeyAuthenticator } from '../stores/api-key-cache.ts';
import type { AppContext } from './context.ts';

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}

/** `Authorization: Bearer <api key>` on every route of this scope: the key decides the store. */
export function requireApiKey(app: FastifyInstance, ctx: AppContext): void {
  const keys = apiKeyAuthenticator(ctx.db);
  app.addHook('onClose', () => keys.close());
  app.addHook('onRequest', async (req) => {
    const secret = bearer(req.headers.authorization);
    if (!secret) {
      throw new ComebackError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>"');
    }
    const principal = await keys.authenticate(secret);
    if (!principal) throw new ComebackError('UNAUTHENTICATED', 'The API key is unknown or revoked');
    req.storeId = principal.storeId;
  });
}

/** The local CLI's admin scope: the per-run token from the data directory's lock file. */
export function requireAdminToken(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (req) => {
    if (!ctx.adminToken) throw new ComebackError('FORBIDDEN', 'The admin API is disabled on this server');
    const secret = bearer(req.headers.authorization);
    if (!secret) throw new ComebackError('UNAUTHENTICATED', 'The admin API needs the local admin token');
    if (secret !== ctx.adminToken) throw new ComebackError('FORBIDDEN', 'Wrong admin token');
  });
}
