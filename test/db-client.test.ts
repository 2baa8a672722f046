import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Db, pgErrorCode, ruinsConnection } from '../src/db/client.ts';
import { DB_KINDS, freshDb } from './db.ts';

describe('ruinsConnection', () => {
  const answer = (severity: string, code: string | undefined) => {
    const e = new pg.DatabaseError('message', 0, 'error');
    e.severity = severity;
    e.code = code;
    return e;
  };
  it('retires a connection the server is closing, that lost step, or whose prepared statement went stale', () => {
    expect(ruinsConnection(answer('FATAL', '57P01'))).toBe(true);
    expect(ruinsConnection(answer('PANIC', 'XX000'))).toBe(true);
    expect(ruinsConnection(answer('ERROR', undefined))).toBe(true);
    expect(ruinsConnection(answer('ERROR', '0A000'))).toBe(true);
    expect(ruinsConnection(answer('ERROR', '26000'))).toBe(true);
  });
  it('keeps it after an ordinary refusal, and leaves other errors to the pool', () => {
    expect(ruinsConnection(answer('ERROR', '23505'))).toBe(false);
    expect(ruinsConnection(answer('ERROR', '22012'))).toBe(false);
    expect(ruinsConnection(new Error('not the database'))).toBe(false);
  });
});

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

    it('a string of statements that fails inside BEGIN leaves no transaction open', async () => {
      const pid = await backend();
      await expect(db.exec('begin; select 1 / 0; commit')).rejects.toThrow(/division by zero/);
      expect((await db.query<{ n: number }>('select 1 as n')).rows[0].n).toBe(1);
      if (kind === 'postgres') {
        // pg-boss sends its maintenance this way, through query.
        await expect(db.query('begin; select 1 / 0; commit')).rejects.toThrow(/division by zero/);
        expect((await db.query<{ n: number }>('select 1 as n')).rows[0].n).toBe(1);
        await expect(
          db.session(async (s) => {
            await s.query('begin; select 1 / 0; commit');
          }),
        ).rejects.toThrow(/division by zero/);
        expect((await db.query<{ n: number }>('select 1 as n')).rows[0].n).toBe(1);
      }
      expect(await backend()).toBe(pid);
    });

    it.runIf(kind === 'postgres')(
      'a backend terminated mid-statement fails that statement only: the next one runs on a new connection',
      async () => {
        const pid = await backend();
        const admin = new pg.Client({ connectionString: inject('pgUrl') });
        await admin.connect();
        try {
          const sleeping = db.query('select pg_sleep(10)').catch((e: unknown) => e);
          // Wait until the statement runs, then end its backend.
          for (let i = 0; i < 100; i++) {
            const r = await admin.query(
              "select 1 from pg_stat_activity where pid = $1 and query like 'select pg_sleep%'",
              [pid],
            );
            if (r.rows.length > 0) break;
            await new Promise((r) => setTimeout(r, 20));
          }
          await admin.query('select pg_terminate_backend($1)', [pid]);
          const err = await sleeping;
          expect(err).toBeInstanceOf(Error);
          expect((await db.query<{ n: number }>('select 1 as n')).rows[0].n).toBe(1);
          expect(await backend()).not.toBe(pid);
        } finally {
          await admin.end();
        }
      },
    );
  });
}
