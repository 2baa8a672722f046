import { expect, it } from 'vitest';
import { noteRowsWritten } from '../src/db/bulk.ts';
import { describeEachDb } from './db.ts';

describeEachDb('planner statistics refreshed as tables grow', (getDb, kind) => {
  // ANALYZE sets pg_class.reltuples to the rows it counted: a store added since shows whether it ran.
  const reltuples = async () =>
    Number(
      (
        await getDb().query<{ n: number }>(
          "select reltuples::int8 as n from pg_class where relname = 'stores'",
        )
      ).rows[0].n,
    );
  const stores = async () =>
    Number((await getDb().query<{ n: number }>('select count(*)::int8 as n from stores')).rows[0].n);
  let added = 0;
  const addStore = () =>
    getDb().query('insert into stores (id, slug, name) values ($1, $1, $1)', [`stats-${added++}`]);

  it('analyzes at 100, 400 and 1,600 rows written, then on PGlite only (PostgreSQL leaves it to autovacuum)', async () => {
    await addStore();
    await noteRowsWritten(getDb(), { stores: 99 });
    expect(await reltuples()).not.toBe(await stores());
    for (const rows of [1, 300, 1200]) {
      await addStore();
      await noteRowsWritten(getDb(), { stores: rows });
      expect(await reltuples()).toBe(await stores());
    }
    // 1,601 to 6,399: no refresh on either.
    await addStore();
    await noteRowsWritten(getDb(), { stores: 4000 });
    expect(await reltuples()).toBe((await stores()) - 1);
    // 6,400: PGlite (no autovacuum) refreshes; PostgreSQL does not.
    await noteRowsWritten(getDb(), { stores: 800 });
    expect(await reltuples()).toBe(kind === 'pglite' ? await stores() : (await stores()) - 1);
  });
});
