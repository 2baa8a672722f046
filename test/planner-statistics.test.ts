import { expect, it, vi } from 'vitest';
import { noteRowsWritten } from '../src/db/bulk.ts';
import type { Db } from '../src/db/client.ts';
import { describeEachDb } from './db.ts';
import { storeWithKey, testApp } from './helpers.ts';

describeEachDb('planner statistics refreshed as tables grow', (getDb, kind) => {
  // ANALYZE sets pg_class.reltuples to the rows it counted: a row added since shows whether it ran.
  const reltuples = async (table: string) =>
    Number(
      (
        await getDb().query<{ n: number }>(
          'select greatest(reltuples, 0)::int8 as n from pg_class where relname = $1',
          [table],
        )
      ).rows[0].n,
    );
  const count = async (table: string) =>
    Number((await getDb().query<{ n: number }>(`select count(*)::int8 as n from ${table}`)).rows[0].n);
  let added = 0;
  const addStore = () =>
    getDb().query('insert into stores (id, slug, name) values ($1, $1, $1)', [`stats-${added++}`]);
  /**
   * Another handle on the same database, as a second server process has: the rows written are
   * counted per handle (`noteRowsWritten` remembers tables per handle object).
   */
  const freshHandle = (): Db => Object.create(getDb()) as Db;

  it('analyzes an empty table at 100, 400 and 1,600 rows written, then on PGlite only (PostgreSQL leaves it to autovacuum)', async () => {
    await getDb().exec('analyze stores');
    const counted = await reltuples('stores');
    expect(counted).toBeLessThan(25);
    // The handle knows the table at its counted size and writes up to 99 rows.
    const db = freshHandle();
    await addStore();
    await noteRowsWritten(db, { stores: 99 - counted });
    expect(await reltuples('stores')).not.toBe(await count('stores'));
    for (const rows of [1, 300, 1200]) {
      await addStore();
      await noteRowsWritten(db, { stores: rows });
      expect(await reltuples('stores')).toBe(await count('stores'));
    }
    // 1,601 to 6,399: no refresh on either.
    await addStore();
    await noteRowsWritten(db, { stores: 4000 });
    expect(await reltuples('stores')).toBe((await count('stores')) - 1);
    // 6,400: PGlite (no autovacuum) refreshes; PostgreSQL does not.
    await noteRowsWritten(db, { stores: 800 });
    expect(await reltuples('stores')).toBe(
      kind === 'pglite' ? await count('stores') : (await count('stores')) - 1,
    );
  });

  // Autovacuum stays off for the table, so only noteRowsWritten analyzes it.
  it('starts from the rows the statistics counted: a restarted server does not analyze a large table for its first rows', async () => {
    await getDb().exec(`
      create table stats_big (id int primary key) with (autovacuum_enabled = false);
      insert into stats_big select g from generate_series(1, 500) g;
      analyze stats_big`);
    expect(await reltuples('stats_big')).toBe(500);
    let next = 501;
    const add = async (n: number) => {
      await getDb().query('insert into stats_big select g from generate_series($1::int, $2::int) g', [
        next,
        next + n - 1,
      ]);
      next += n;
    };
    // A new handle writes 100 and then 1,399 rows: 1,999 rows in all, under four times the 500 counted.
    const db = freshHandle();
    for (const n of [100, 1399]) {
      await add(n);
      await noteRowsWritten(db, { stats_big: n });
      expect(await reltuples('stats_big')).toBe(500);
    }
    // 2,000: four times what the statistics counted.
    await add(1);
    await noteRowsWritten(db, { stats_big: 1 });
    expect(await reltuples('stats_big')).toBe(2000);
    // Counted 2,000 (over 1,600): PostgreSQL leaves the table to autovacuum; PGlite analyzes at 8,000.
    await add(6000);
    await noteRowsWritten(db, { stats_big: 6000 });
    expect(await reltuples('stats_big')).toBe(kind === 'pglite' ? 8000 : 2000);
    await getDb().exec('drop table stats_big');
  });

  it('counts a table it cannot read as empty, and never fails the write it follows', async () => {
    const db = freshHandle();
    await expect(noteRowsWritten(db, { no_such_table_a: 5, no_such_table_b: 5 })).resolves.toBeUndefined();
  });

  it('a checkout commit counts its rows in each table it writes, the stored evaluations too', async () => {
    // Only noteRowsWritten may analyze them here.
    await getDb().exec(`
      alter table checkout_commits set (autovacuum_enabled = false);
      alter table checkout_commit_bodies set (autovacuum_enabled = false)`);
    const t = await testApp(getDb());
    try {
      const { key } = await storeWithKey(getDb(), 'stats-checkout');
      for (let i = 0; i < 100; i++) {
        const order = {
          customer: null,
          currency: 'EUR',
          lines: [{ sku: 'STATS', quantity: 1, unit_price_minor: 1000 }],
          order_external_id: `stats-${i}`,
        };
        expect((await t.call('POST', '/v1/checkout/commit', order, { key })).status).toBe(201);
      }
      // The refresh follows the answer, in the background.
      await vi.waitFor(
        async () => {
          expect(await reltuples('checkout_commits')).toBe(100);
          expect(await reltuples('checkout_commit_bodies')).toBe(100);
        },
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      await t.app.close();
    }
  });
});
