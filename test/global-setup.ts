import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPglite, openPostgres } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';

/** The PostgreSQL every database test also runs on (CI has it; a missing server fails the run). */
export const TEST_PG_URL =
  process.env.COMEBACK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDb(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Prepares migrated templates once per run: a PGlite data-dir dump (loading one takes ~0.5 s, creating
 * one 3–10 s) and a PostgreSQL template database that each test file clones.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'comeback-test-'));
  const lite = await openPglite();
  await migrate(lite);
  const dumpFile = path.join(dir, 'pglite-template.tar');
  writeFileSync(dumpFile, Buffer.from(await (await lite.dumpDataDir()).arrayBuffer()));
  await lite.close();

  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_PG_URL} (${(err as Error).message}). Every database test runs on PGlite AND PostgreSQL; ` +
        'start the server or set COMEBACK_TEST_DATABASE_URL.',
    );
  }
  const template = `comeback_tpl_${process.pid}_${Date.now()}`;
  await admin.query(`create database ${template}`);
  const tdb = await openPostgres(withDb(TEST_PG_URL, template), 2);
  await migrate(tdb);
  await tdb.close();
  project.provide('pgliteTemplate', dumpFile);
  project.provide('pgTemplate', template);
  project.provide('pgUrl', TEST_PG_URL);
  return async () => {
    const left = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1 or datname = $2`,
      [`comeback_t_${process.pid}_%`, template],
    );
    for (const { datname } of left.rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string;
    pgUrl: string;
  }
}
