import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, pgErrorCode } from '../src/db/client.ts';
import { DB_KINDS, freshDb } from './db.ts';

for (const kind of DB_KINDS) {
  describe(`database client: a statement the server refuses keeps its connection [${kind}]`, () => {
    let db: Db;
    beforeAll(async () => {
      // One connection: a replaced one would show as a new backend.
      db = await freshDb(kind, 1);
    });
    afterAll(async () => {
      await db?.close();
    });
    const backend = async () =>
      (await db.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;

    it('keeps the backend after an error, and its prepared statements still run', async () => {
      const pid = await backend();
      const divide = (by: number) =>
        db.query<{ q: number }>('select 10 / $1::int as q', [by], 'client_test_divide');
      expect((await divide(2)).rows[0].q).toBe(5);
      const err = await divide(0).catch((e: unknown) => e);
      expect(pgErrorCode(err)).toBe('22012');
      await expect(db.query('select * from no_such_table')).rejects.toThrow(/no_such_table/);
      await expect(db.exec('select 1; select 1 / 0')).rejects.toThrow(/division by zero/);
      expect((await divide(5)).rows[0].q).toBe(2);
      expect(await backend()).toBe(pid);
    });

    it('keeps the backend after a transaction that failed', async () => {
      const pid = await backend();
      await expect(
        db.tx(async (q) => {
          await q.query('select 1 / 0');
        }),
      ).rejects.toThrow(/division by zero/);
      await expect(
        db.tx(async () => {
          throw new Error('not the database');
        }),
      ).rejects.toThrow(/not the database/);
      expect(await backend()).toBe(pid);
    });
  });
}
