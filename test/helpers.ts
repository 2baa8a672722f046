import type { FastifyInstance } from 'fastify';
import type { Db } from '../src/db/client.ts';
import { buildApp } from '../src/http/app.ts';
import { createIdGenerator, type IdGenerator } from '../src/kernel/ids.ts';
import { createStaffUser } from '../src/staff/repository.ts';
import type { StaffRole } from '../src/staff/rules.ts';
import { createApiKey, createStore } from '../src/stores/repository.ts';
import { systemClock } from '../src/system-clock.ts';

export interface TestApp {
  app: FastifyInstance;
  /** Sends a request as the given store's API key. */
  call(
    method: string,
    url: string,
    body?: unknown,
    opts?: { key?: string; headers?: Record<string, string>; raw?: string },
  ): Promise<{
    status: number;
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON that the assertions inspect
    body: any;
    headers: Record<string, unknown>;
  }>;
}

export async function testApp(db: Db, adminToken = 'test-admin-token'): Promise<TestApp> {
  const app = await buildApp({
    db,
    ids: createIdGenerator(),
    clock: systemClock,
    version: 'test',
    adminToken,
  });
  await app.ready();
  return {
    app,
    async call(method, url, body, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      if (body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers,
        payload: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      let parsed: unknown = res.body;
      try {
        parsed = JSON.parse(res.body);
      } catch {}
      return { status: res.statusCode, body: parsed, headers: res.headers };
    },
  };
}

/** Creates a store with an API key; returns the key's secret. */
export async function storeWithKey(db: Db, slug: string): Promise<{ storeId: string; key: string }> {
  const ids = createIdGenerator();
  const store = await createStore(db, ids, { slug });
  const { secret } = await createApiKey(db, ids, store.id);
  return { storeId: store.id, key: secret };
}

/** Signs a staff member in to the dashboard API: the headers of their session (cookie and CSRF token). */
export async function staffHeaders(
  t: TestApp,
  email: string,
  password: string,
): Promise<Record<string, string>> {
  const res = await t.call('POST', '/app/api/login', { email, password });
  if (res.status !== 200)
    throw new Error(`sign-in of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { cookie: String(res.headers['set-cookie']).split(';')[0], 'x-csrf-token': res.body.csrf_token };
}

/** Staff users of a store, all with one password (the dashboard tests sign them in by email). */
export async function addStaff(
  db: Db,
  ids: IdGenerator,
  storeId: string,
  password: string,
  staff: readonly (readonly [email: string, role: StaffRole])[],
): Promise<void> {
  for (const [email, role] of staff) await createStaffUser(db, ids, storeId, { email, role, password });
}
