import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { buildApp } from '../src/http/app.ts';
import { storeOf } from '../src/http/context.ts';
import { createIdGenerator } from '../src/kernel/ids.ts';
import { systemClock } from '../src/system-clock.ts';
import { DB_KINDS, freshDb } from './db.ts';
import { storeWithKey } from './helpers.ts';

/**
 * Stopping the server as `comeback serve` does (close the app, then the database) while a handler
 * still runs for a client that went away: the close waits for it, so its queries after the client
 * left still reach the database (a checkout commit's write after its read), and so does the
 * reply's own write after it (the idempotency key's record).
 */
for (const kind of DB_KINDS) {
  it(`closing waits for a handler whose client went away [${kind}]`, async () => {
    const db = await freshDb(kind);
    const { key } = await storeWithKey(db, 'shutdown');
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started = () => {};
    const running = new Promise<void>((r) => {
      started = r;
    });
    const outcome: string[] = [];
    const app = await buildApp(
      { db, ids: createIdGenerator(), clock: systemClock, version: 'test', adminToken: 'admin' },
      {
        v1Plugins: [
          (v1) =>
            v1.post('/v1/test-slow', async (req) => {
              started();
              await gate;
              try {
                const res = await db.query<{ id: string }>('select id from stores where id = $1', [
                  storeOf(req),
                ]);
                outcome.push(`read ${res.rows.length}`);
              } catch (err) {
                outcome.push(`failed: ${(err as Error).message}`);
              }
              return { ok: true };
            }),
        ],
      },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const client = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/v1/test-slow`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'stop-1' },
      signal: client.signal,
    }).catch((err: Error) => err.name);
    await running;
    client.abort();
    expect(await request).toBe('AbortError');
    // The stop sequence: the app closes, then the database; the handler goes on meanwhile.
    const stopped = app.close().then(async () => {
      const stored = await db.query<{ state: string }>(
        "select state from idempotency_keys where key = 'stop-1'",
      );
      outcome.push(`closed, key ${stored.rows[0]?.state}`);
      await db.close();
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(outcome).toEqual([]);
    release();
    await stopped;
    expect(outcome).toEqual(['read 1', 'closed, key done']);
  });
}
