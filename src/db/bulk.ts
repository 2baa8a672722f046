import type { Queryable } from './client.ts';

/** A column of a bulk statement: its SQL type; `jsonb`/`text[]` travel as JSON text and are cast. */
export interface BulkColumn {
  name: string;
  type: 'text' | 'int2' | 'int4' | 'int8' | 'float8' | 'bool' | 'timestamptz' | 'date' | 'jsonb' | 'text[]';
}

function arrayType(t: BulkColumn['type']): string {
  return t === 'jsonb' || t === 'text[]' ? 'text[]' : `${t}[]`;
}

function selectExpr(c: BulkColumn): string {
  if (c.type === 'jsonb') return `u.${c.name}::jsonb`;
  // Arrays of arrays flatten in unnest, so per-row text arrays come as JSON text.
  if (c.type === 'text[]') return `array(select jsonb_array_elements_text(u.${c.name}::jsonb))`;
  return `u.${c.name}`;
}

function toColumns(columns: readonly BulkColumn[], rows: readonly unknown[][]): unknown[][] {
  const cols = columns.map(() => [] as unknown[]);
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) {
      const v = row[i];
      const t = columns[i].type;
      cols[i].push(
        v === undefined ? null : (t === 'jsonb' || t === 'text[]') && v !== null ? JSON.stringify(v) : v,
      );
    }
  }
  return cols;
}

/**
 * `insert into table (cols) select … from unnest(arrays)`: one round trip per batch of rows, the
 * fastest portable bulk path on both PGlite and PostgreSQL (STACK.md). `suffix` adds
 * `on conflict …`/`returning …`.
 */
export async function bulkInsert<R = Record<string, unknown>>(
  q: Queryable,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly unknown[][],
  suffix = '',
): Promise<R[]> {
  if (rows.length === 0) return [];
  const names = columns.map((c) => c.name).join(', ');
  const unnest = columns.map((c, i) => `$${i + 1}::${arrayType(c.type)}`).join(', ');
  const sql = `insert into ${table} (${names}) select ${columns.map(selectExpr).join(', ')}
    from unnest(${unnest}) as u(${names}) ${suffix}`;
  const res = await q.query<R>(sql, toColumns(columns, rows));
  return res.rows;
}

/**
 * `update table t set col = u.col … from unnest(arrays) u where t.store_id = u.store_id and
 * t.id = u.id`: the first two columns must be store_id and id.
 */
export async function bulkUpdate(
  q: Queryable,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly unknown[][],
  extraSet = '',
): Promise<number> {
  if (rows.length === 0) return 0;
  const names = columns.map((c) => c.name).join(', ');
  const unnest = columns.map((c, i) => `$${i + 1}::${arrayType(c.type)}`).join(', ');
  const sets = columns
    .slice(2)
    .map((c) => `${c.name} = ${selectExpr(c)}`)
    .concat(extraSet ? [extraSet] : [])
    .join(', ');
  const sql = `update ${table} t set ${sets} from unnest(${unnest}) as u(${names})
    where t.store_id = u.store_id and t.id = u.id`;
  const res = await q.query(sql, toColumns(columns, rows));
  return res.rowCount;
}

/** Thrown inside a transaction when a concurrent writer inserted the same key first: retry it. */
export class ConcurrentInsert extends Error {
  constructor() {
    super('a concurrent request inserted the same record; retrying');
  }
}

/** Runs a write transaction again when it lost an insert race (the retry then sees the winner's row). */
export async function withInsertRetry<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ConcurrentInsert) || i >= attempts) throw err;
    }
  }
}
