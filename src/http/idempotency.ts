import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ComebackError } from '../kernel/errors.ts';
import { canonicalJson } from '../kernel/hash.ts';
import type { AppContext } from './context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
  }
}

/** How long a key is remembered, and after how long an unfinished one may be taken over. */
export const IDEMPOTENCY_TTL_HOURS = 24;
const ABANDONED_AFTER_SECONDS = 300;

function requestHash(req: FastifyRequest): string {
  const body =
    typeof req.body === 'string' || Buffer.isBuffer(req.body)
      ? String(req.body)
      : canonicalJson(req.body ?? null);
  return createHash('sha256')
    .update(`${req.method} ${req.routeOptions.url}\n${canonicalJson(req.params)}\n${body}`)
    .digest('hex');
}

/**
 * Stripe's `Idempotency-Key` semantics on every POST of the scope: the same key and body replay the
 * stored response; the same key with another body is a 422; a key whose first request is still
 * running is a 409. Keys are per store and kept 24 h. Responses with 5xx are not kept (retry them).
 */
export function idempotency(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST') return;
    const key = req.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
      throw new ComebackError('VALIDATION_FAILED', 'Idempotency-Key must be 1–255 characters', [
        { path: 'headers.idempotency-key', message: 'invalid' },
      ]);
    }
    const storeId = req.storeId!;
    const hash = requestHash(req);
    const inserted = await ctx.db.tx(async (q) => {
      await q.query(
        `delete from idempotency_keys where store_id = $1 and key = $2 and (created_at < now() - make_interval(hours => $3)
           or (state = 'in_progress' and created_at < now() - make_interval(secs => $4)))`,
        [storeId, key, IDEMPOTENCY_TTL_HOURS, ABANDONED_AFTER_SECONDS],
      );
      const res = await q.query(
        `insert into idempotency_keys (store_id, key, method, path, request_hash, state)
         values ($1, $2, $3, $4, $5, 'in_progress') on conflict (store_id, key) do nothing returning key`,
        [storeId, key, req.method, req.url, hash],
      );
      return res.rows.length === 1;
    });
    if (inserted) {
      req.idempotencyKey = key;
      return;
    }
    const prev = await ctx.db.query<{
      request_hash: string;
      state: string;
      response_status: number | null;
      response_body: unknown;
    }>(
      'select request_hash, state, response_status, response_body from idempotency_keys where store_id = $1 and key = $2',
      [storeId, key],
    );
    const row = prev.rows[0];
    if (!row)
      throw new ComebackError(
        'IDEMPOTENCY_KEY_IN_USE',
        'The idempotency key is being processed; retry shortly',
      );
    if (row.request_hash !== hash) {
      throw new ComebackError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with a different request; use a new key for a new request',
        [{ path: 'headers.idempotency-key', message: 'reused with another body' }],
      );
    }
    if (row.state !== 'done') {
      throw new ComebackError(
        'IDEMPOTENCY_KEY_IN_USE',
        'A request with this Idempotency-Key is still in progress',
      );
    }
    reply.header('idempotent-replayed', 'true');
    reply.status(row.response_status ?? 200);
    return reply.send(row.response_body);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const key = req.idempotencyKey;
    if (!key) return payload;
    req.idempotencyKey = undefined;
    if (reply.statusCode >= 500) {
      await ctx.db.query('delete from idempotency_keys where store_id = $1 and key = $2', [req.storeId, key]);
      return payload;
    }
    let body: unknown = null;
    try {
      body = typeof payload === 'string' ? JSON.parse(payload) : null;
    } catch {}
    await ctx.db.query(
      `update idempotency_keys set state = 'done', response_status = $3, response_body = $4::jsonb
       where store_id = $1 and key = $2`,
      [req.storeId, key, reply.statusCode, JSON.stringify(body)],
    );
    return payload;
  });
}

/** Forgets keys older than the TTL (run by the worker hourly). */
export async function purgeIdempotencyKeys(ctx: Pick<AppContext, 'db'>): Promise<number> {
  const res = await ctx.db.query(
    'delete from idempotency_keys where created_at < now() - make_interval(hours => $1)',
    [IDEMPOTENCY_TTL_HOURS],
  );
  return res.rowCount;
}
