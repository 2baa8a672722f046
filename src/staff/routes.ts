import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../http/context.ts';
import { ComebackError } from '../kernel/errors.ts';
import { getStoreBySlug } from '../stores/repository.ts';
import { clearLoginFailures, loginKeys, loginRetryAfter, recordLoginFailure } from './login-throttle.ts';
import { decoyHash, MAX_PASSWORD_LENGTH, verifyPassword } from './password.ts';
import {
  createSession,
  createStaffUser,
  deleteSession,
  findSession,
  type StaffSession,
  signInCandidates,
} from './repository.ts';
import { can, type Permission, permissionsOf, STAFF_ROLES } from './rules.ts';

export const SESSION_COOKIE = 'cb_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in staff member on /app/api routes. */
    staff?: StaffSession;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (sign-in). */
    public?: boolean;
    /** The permission a dashboard route needs (staff/rules.ts). */
    permission?: Permission;
  }
}

export interface StaffAuthOptions {
  /** Mark cookies Secure (the public URL is https); requests that arrive over TLS get it anyway. */
  secureCookies?: boolean;
}

/** The signed-in staff member; dashboard routes always have one (the hook refused the rest). */
export function staffOf(req: FastifyRequest): StaffSession {
  if (!req.staff) throw new ComebackError('UNAUTHENTICATED', 'Sign in first');
  return req.staff;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Session auth for the dashboard's JSON API (a scope under /app/api): the `cb_session` cookie
 * (HttpOnly, SameSite=Lax) names a server-side session; every state-changing request must also
 * carry the session's CSRF token in `x-csrf-token` (a cross-site page can make the browser send
 * the cookie, never read the token). Each route's `config.permission` is checked against the role.
 */
export async function registerStaffAuth(
  app: FastifyInstance,
  ctx: AppContext,
  options: StaffAuthOptions = {},
): Promise<void> {
  await app.register(cookie);
  app.addHook('onRequest', async (req) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      const session = await findSession(ctx.db, token, ctx.clock());
      if (session) {
        req.staff = session;
        req.storeId = session.storeId;
      }
    }
    const config = req.routeOptions.config;
    if (UNSAFE.has(req.method)) {
      // A form posted from another site carries that site's Origin: refuse it even before the token check.
      const origin = req.headers.origin;
      if (origin && !sameHost(origin, req.headers.host)) {
        throw new ComebackError('FORBIDDEN', 'Cross-site requests are not allowed');
      }
    }
    if (config.public) return;
    if (!req.staff) throw new ComebackError('UNAUTHENTICATED', 'Sign in to use the dashboard');
    if (UNSAFE.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, req.staff.csrfToken)) {
        throw new ComebackError(
          'FORBIDDEN',
          `The ${CSRF_HEADER} header is missing or wrong; reload the page`,
        );
      }
    }
    if (config.permission && !can(req.staff.role, config.permission)) {
      throw new ComebackError('FORBIDDEN', `Your role (${req.staff.role}) cannot do this`);
    }
  });

  const secure = (req: FastifyRequest) => options.secureCookies === true || req.protocol === 'https';
  const me = async (session: StaffSession) => {
    const store = await ctx.db.query<{
      id: string;
      slug: string;
      name: string;
      currency: string;
      timezone: string;
    }>('select id, slug, name, currency, timezone from stores where id = $1', [session.storeId]);
    return {
      user: { id: session.userId, email: session.email, role: session.role },
      store: store.rows[0],
      permissions: permissionsOf(session.role),
      csrf_token: session.csrfToken,
    };
  };

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/app/api/login',
    {
      config: { public: true },
      schema: {
        hide: true,
        body: z.object({
          email: z.string().trim().min(1).max(320),
          password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
          store: z
            .string()
            .trim()
            .max(63)
            .optional()
            .describe('store slug, when the login works for several'),
        }),
      },
    },
    async (req, reply) => {
      // Repeated failures per email and per IP are refused before any password is checked.
      const keys = loginKeys(req.body.email, req.ip);
      const retryAfter = await loginRetryAfter(ctx.db, keys, ctx.clock());
      if (retryAfter !== null) {
        reply.header('retry-after', String(retryAfter));
        throw new ComebackError(
          'RATE_LIMITED',
          `Too many failed sign-ins: try again in ${Math.ceil(retryAfter / 60)} minute${retryAfter > 60 ? 's' : ''}`,
        );
      }
      const candidates = await signInCandidates(ctx.db, req.body.email, req.body.store || undefined);
      const matched = [];
      for (const c of candidates)
        if (await verifyPassword(req.body.password, c.password_hash)) matched.push(c);
      // An unknown email costs one hash too, so response times do not tell which emails exist.
      if (candidates.length === 0) await verifyPassword(req.body.password, await decoyHash());
      if (matched.length === 0) {
        await recordLoginFailure(ctx.db, keys, ctx.clock());
        throw new ComebackError('UNAUTHENTICATED', 'Wrong email or password');
      }
      if (matched.length > 1) {
        throw new ComebackError('VALIDATION_FAILED', 'This login works for several stores: choose one', [
          { path: 'store', message: `one of ${matched.map((m) => m.store_slug).join(', ')}` },
        ]);
      }
      const user = matched[0];
      await clearLoginFailures(ctx.db, keys);
      const now = ctx.clock();
      const { token, expiresAt } = await createSession(ctx.db, user, now, req.headers['user-agent']);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secure(req),
        expires: expiresAt,
      });
      const session = await findSession(ctx.db, token, now);
      return me(session!);
    },
  );
  r.post('/app/api/logout', { schema: { hide: true } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await deleteSession(ctx.db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(req) });
    reply.status(204);
  });
  r.get('/app/api/me', { schema: { hide: true } }, async (req) => me(staffOf(req)));
  // The dashboard's first call: whether someone is signed in, without a 401 in the browser console.
  r.get('/app/api/session', { config: { public: true }, schema: { hide: true } }, async (req) =>
    req.staff ? { signed_in: true, ...(await me(req.staff)) } : { signed_in: false },
  );
}

/** `comeback users create` while the server holds the embedded database: the server creates the user. */
export function registerStaffAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/admin/v1/stores/:slug/users',
    {
      schema: {
        hide: true,
        params: z.object({ slug: z.string().min(1).max(63) }),
        body: z.object({
          email: z.string().max(320),
          role: z.enum(STAFF_ROLES),
          password: z.string().max(MAX_PASSWORD_LENGTH),
        }),
      },
    },
    async (req, reply) => {
      const store = await getStoreBySlug(ctx.db, req.params.slug);
      reply.status(201);
      return createStaffUser(ctx.db, ctx.ids, store.id, req.body);
    },
  );
}
