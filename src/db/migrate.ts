import { readdir, readFile } from 'node:fs/promises';
import type { Db } from './client.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
// Any constant: serialises migrators of several processes starting at once against one PostgreSQL.
const MIGRATION_LOCK = 7_146_510_331;

export interface MigrationResult {
  applied: string[];
  current: string | null;
}

/** Applies the versioned SQL migrations (src/db/migrations/NNNN_name.sql) not yet applied, in order. */
export async function migrate(db: Db): Promise<MigrationResult> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await db.query(
    'create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())',
  );
  for (const file of files) {
    const version = file.replace(/\.sql$/, '');
    const sql = await readFile(new URL(file, MIGRATIONS_DIR), 'utf8');
    const done = await db.tx(async (q) => {
      await q.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await q.query('select 1 from schema_migrations where version = $1', [version]);
      if (seen.rows.length > 0) return false;
      // Statements run inside this transaction: a failing migration leaves nothing half-applied.
      await q.exec(sql);
      await q.query('insert into schema_migrations (version) values ($1)', [version]);
      return true;
    });
    if (done) applied.push(version);
  }
  const cur = await db.query<{ version: string }>('select max(version) as version from schema_migrations');
  return { applied, current: cur.rows[0]?.version ?? null };
}
