import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type Db, openPglite, openPostgres } from '../src/db/client.ts';

export type DbKind = 'pglite' | 'postgres';
export const DB_KINDS: DbKind[] = ['pglite', 'postgres'];

let counter = 0;

/** A fresh, migrated database of `kind`: a PGlite loaded from the template dump, or a cloned PostgreSQL database. */
export async function freshDb(kind: DbKind, poolSize = 10): Promise<Db> {
  if (kind === 'pglite') {
    const dump = readFileSync(inject('pgliteTemplate'));
    return openPglite(undefined, new Blob([dump]));
  }
  const url = new URL(inject('pgUrl'));
  const name = `comeback_t_${process.ppid}_${process.pid}_${Date.now()}_${counter++}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), poolSize);
  const close = db.close;
  return {
    ...db,
    async close() {
      await close();
      const a = new pg.Client({ connectionString: inject('pgUrl') });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end();
    },
  };
}

/** Runs the same suite on PGlite and on PostgreSQL, each with its own fresh database. */
export function describeEachDb(name: string, suite: (getDb: () => Db, kind: DbKind) => void): void {
  for (const kind of DB_KINDS) {
    describe(`${name} [${kind}]`, () => {
      let db: Db;
      beforeAll(async () => {
        db = await freshDb(kind);
      });
      afterAll(async () => {
        await db?.close();
      });
      suite(() => db, kind);
    });
  }
}
