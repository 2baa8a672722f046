import { type Db, PG_DEADLOCK, pgErrorCode, type Queryable } from './client.ts';

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

/** An array element in PostgreSQL's array literal syntax: NULL, or a double-quoted, backslash-escaped text. */
function element(v: unknown, t: BulkColumn['type']): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  const text =
    t === 'jsonb' || t === 'text[]' ? JSON.stringify(v) : v instanceof Date ? v.toISOString() : String(v);
  return /["\\]/.test(text) ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
}

/** JSON escapes besides \" and \\ (control characters, lone surrogates), which array literals lack. */
const JSON_ONLY_ESCAPE = /\\[^"\\]/;

/**
 * Each column's values as one array literal (`{"a",null,"b"}`), which both drivers pass through as
 * text. For scalars this is the column's JSON with braces, as JSON quotes strings the way array
 * literals do (\" and \\); a column whose JSON holds other escapes (control characters; rarely a
 * false alarm such as a backslash before an n) goes element by element. Much cheaper than the
 * drivers' generic per-element serialisation.
 */
function toColumns(columns: readonly BulkColumn[], rows: readonly unknown[][]): string[] {
  return columns.map((c, i) => {
    const values = new Array<unknown>(rows.length);
    for (let r = 0; r < rows.length; r++) values[r] = rows[r][i];
    if (c.type !== 'jsonb' && c.type !== 'text[]') {
      const json = JSON.stringify(values);
      if (!json.includes('\\') || !JSON_ONLY_ESCAPE.test(json)) return `{${json.slice(1, -1)}}`;
    }
    return `{${values.map((v) => element(v, c.type)).join(',')}}`;
  });
}

/** The column list `jsonb_to_recordset(…) as x(…)` reads `rowObject`s with. */
export function recordDefinition(columns: readonly BulkColumn[]): string {
  return columns.map((c) => `${c.name} ${c.type}`).join(', ');
}

/** A row (values in `columns`' order) as an object keyed by column name, for `jsonb_to_recordset`. */
export function rowObject(columns: readonly BulkColumn[], row: readonly unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [i, c] of columns.entries()) o[c.name] = row[i];
  return o;
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

/**
 * Runs a write transaction again when it lost an insert race (the retry then sees the winner's row)
 * or was chosen as a deadlock's victim; both leave nothing behind, so running it again is safe.
 */
export async function withInsertRetry<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      const retry = err instanceof ConcurrentInsert || pgErrorCode(err) === PG_DEADLOCK;
      if (!retry || i >= attempts) throw err;
    }
  }
}

/**
 * A table's size as this process knows it: the rows its planner statistics counted when first
 * seen (pg_class.reltuples) plus the rows written since through one database handle, and the size
 * its statistics last counted.
 */
interface TableGrowth {
  rows: number;
  counted: number;
}

const growth = new WeakMap<Queryable, Map<string, Promise<TableGrowth>>>();
/**
 * The first refresh comes early, at 100 rows: plans cached while a table was empty are the costly
 * ones. (A size of 25 grown fourfold.)
 */
const EMPTY_TABLE_ROWS = 25;
/**
 * On PostgreSQL the refreshes stop once a table's statistics count this many rows: its plans are no
 * longer an empty table's, and autovacuum keeps the statistics from there (without it, as on a
 * server with autovacuum off, estimates still scale with the table's size). An ANALYZE of a large
 * table takes a core for up to half a second (loyalty_entries at 60,000 rows: 0.5 s), which every
 * request running beside it waits for.
 */
const LAST_SERVER_ANALYZE_ROWS = 1600;

/**
 * The rows each table's statistics counted (-1, never analyzed, counts as empty). Never fails: a
 * table it cannot read (or a failed read) counts as empty, refreshed at 100 rows as before.
 */
async function countedRows(db: Db, tables: readonly string[]): Promise<Map<string, number>> {
  try {
    const res = await db.query<{ name: string; n: number }>(
      'select t.name, greatest(c.reltuples, 0)::float8 as n from unnest($1::text[]) t(name) join pg_class c on c.oid = to_regclass(t.name)',
      [tables],
    );
    return new Map(res.rows.map((r) => [r.name, Number(r.n)]));
  } catch {
    return new Map();
  }
}

/**
 * Refreshes the planner statistics of the given tables each time one has grown fourfold since its
 * statistics last counted it (an empty one at 100 rows, then 400, 1,600 …; on PostgreSQL up to
 * 1,600, see `LAST_SERVER_ANALYZE_ROWS`); call it after the write committed. A table that grows
 * from empty during an import otherwise keeps plans made while it was empty: each connection caches
 * its foreign-key checks' plans, and without new statistics (PGlite has no autovacuum; a server's
 * comes a minute later, if it runs at all) they stay sequential scans, so every order's customer
 * check reads the whole customers table. The growing interval keeps this to a few ANALYZEs per
 * table. A table's size starts from what its statistics counted (read once per table and handle),
 * so a server that restarts beside large tables does not analyze them again for its first rows.
 */
export async function noteRowsWritten(db: Db, rows: Record<string, number>): Promise<void> {
  let tables = growth.get(db);
  if (!tables) {
    tables = new Map();
    growth.set(db, tables);
  }
  const written = Object.entries(rows).filter(([, n]) => n > 0);
  const unseen = written.map(([t]) => t).filter((t) => !tables.has(t));
  if (unseen.length > 0) {
    const counted = countedRows(db, unseen);
    for (const t of unseen)
      tables.set(
        t,
        counted.then((m) => {
          const n = m.get(t) ?? 0;
          return { rows: n, counted: n };
        }),
      );
  }
  // Taken before the first await: concurrent calls share each table's one lookup.
  const known = written.map(([table, n]) => [table, n, tables.get(table) as Promise<TableGrowth>] as const);
  const due: string[] = [];
  for (const [table, n, growing] of known) {
    const t = await growing;
    t.rows += n;
    const done = db.kind === 'postgres' && t.counted >= LAST_SERVER_ANALYZE_ROWS;
    if (!done && t.rows >= 4 * Math.max(t.counted, EMPTY_TABLE_ROWS)) {
      t.counted = t.rows;
      due.push(table);
    }
  }
  if (due.length > 0) await db.exec(`analyze ${due.join(', ')}`);
}
