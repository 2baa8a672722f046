import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface QueryResult<R = Row> {
  rows: R[];
  rowCount: number;
}

/** Something that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  /**
   * `name` makes it a prepared statement on PostgreSQL (parsed and planned once per connection):
   * for hot statements whose planning costs more than running them. PGlite ignores it.
   */
  query<R = Row>(text: string, params?: readonly unknown[], name?: string): Promise<QueryResult<R>>;
  /** Runs several statements (migrations); no parameters. */
  exec(sql: string): Promise<void>;
}

/** The one database interface the app uses, over PGlite (embedded) or PostgreSQL. */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one connection of the pool (PGlite has one): what depends on the connection
   * (checkout's use shard is the connection's) holds across its statements and transactions.
   */
  session<T>(fn: (s: Db) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` with the payload of each notification on `channel` (PostgreSQL's LISTEN, on a
   * connection of its own that reconnects by itself), and `onGap` whenever notifications may have
   * been missed: its connection was lost, or is back. Closed with the database.
   */
  listen(channel: string, onNotify: (payload: string) => void, onGap: () => void): Promise<Listening>;
  close(): Promise<void>;
}

/** A LISTEN (`Db.listen`). */
export interface Listening {
  /** Whether every notification reaches it now (false while its connection is down). */
  readonly live: boolean;
  close(): Promise<void>;
}

/** Channel names are ours, but LISTEN takes no parameter: only plain identifiers pass. */
function channelName(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  return channel;
}

// Type normalisation in one place (STACK.md gotcha 3): int8 → number (checked), date → 'YYYY-MM-DD'.
const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}

export interface PgliteDb extends Db {
  /** A tarball of the whole database (tests load migrated templates from it). */
  dumpDataDir(): Promise<Blob>;
}

/** Opens PGlite in `dataDir` (created if missing), or in memory when `dataDir` is undefined. */
export async function openPglite(dataDir?: string, loadDataDir?: Blob): Promise<PgliteDb> {
  const lite = await PGlite.create({
    dataDir,
    loadDataDir,
    parsers: { [DATE]: (v: string) => v, [NUMERIC]: (v: string) => Number(v) },
  });
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R>(text: string, params?: readonly unknown[]) {
      const res = await q.query<R>(text, params as unknown[] | undefined);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  const base = wrap(lite);
  const db: PgliteDb = {
    kind: 'pglite',
    query: base.query,
    // A string of statements that fails after its BEGIN (pg-boss's maintenance) leaves the one
    // connection in an aborted transaction, refusing every statement after it: ROLLBACK ends it.
    async exec(sql) {
      try {
        await base.exec(sql);
      } catch (err) {
        await lite.exec('rollback').catch(() => {});
        throw err;
      }
    },
    tx: (fn) => lite.transaction((t) => fn(wrap(t))),
    session: (fn) => fn(db),
    // One connection in this process: nothing to lose, so never a gap.
    async listen(channel, onNotify) {
      const stop = await lite.listen(channelName(channel), onNotify);
      return { live: true, close: () => stop() };
    },
    close: () => lite.close(),
    dumpDataDir: async () => {
      const dump = await lite.dumpDataDir('none');
      return dump instanceof Blob ? dump : new Blob([dump]);
    },
  };
  return db;
}

/** Connects a pool to PostgreSQL at `url`. */
export async function openPostgres(url: string, poolSize = 20): Promise<Db> {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8) return parseInt8;
      if (oid === DATE) return (v: string) => v;
      if (oid === NUMERIC) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format);
    },
  } as unknown as pg.CustomTypesConfig;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
    idleTimeoutMillis: 30_000,
    // Named (prepared) statements are planned once per connection. Left to choose, PostgreSQL
    // re-planned checkout's read on every call (a custom plan drops the parts an evaluation leaves
    // null, so it looks cheaper), and planning it cost more than running it. Added to PGOPTIONS;
    // options in the URL win.
    options: [process.env.PGOPTIONS, '-c plan_cache_mode=force_generic_plan'].filter(Boolean).join(' '),
  });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const run = async <R>(
    c: pg.Pool | pg.PoolClient,
    text: string,
    params?: readonly unknown[],
    name?: string,
  ) => {
    const out: pg.QueryResult | pg.QueryResult[] =
      name === undefined
        ? await c.query(text, params as unknown[] | undefined)
        : await c.query({ name, text, values: params as unknown[] | undefined });
    // Several statements without parameters (pg-boss's schema set-up) answer one result each: keep the last.
    const res = Array.isArray(out) ? out[out.length - 1] : out;
    return { rows: (res?.rows ?? []) as R[], rowCount: res?.rowCount ?? res?.rows.length ?? 0 };
  };
  await run(pool, 'select 1');
  const listeners = new Set<Listening>();
  const listen = async (
    channel: string,
    onNotify: (payload: string) => void,
    onGap: () => void,
  ): Promise<Listening> => {
    const name = channelName(channel);
    // The client being connected or connected (events of any other are old news), and whether
    // it listens now.
    let current: pg.Client | null = null;
    let live = false;
    let closed = false;
    let retry: NodeJS.Timeout | null = null;
    const ended = new WeakSet<pg.Client>();
    const end = (c: pg.Client) => {
      if (ended.has(c)) return;
      ended.add(c);
      c.end().catch(() => {});
    };
    const handle: Listening = {
      get live() {
        return live;
      },
      async close() {
        closed = true;
        live = false;
        listeners.delete(handle);
        if (retry) clearTimeout(retry);
        const c = current;
        current = null;
        if (c) end(c);
      },
    };
    const lost = (c: pg.Client) => {
      end(c);
      if (closed || c !== current) return;
      current = null;
      if (live) {
        live = false;
        onGap();
      }
      retry ??= setTimeout(() => {
        retry = null;
        void connect();
      }, 1000);
      retry.unref();
    };
    const connect = async () => {
      // Keepalives find a connection that died without a word (a partition), so it is replaced.
      const c = new pg.Client({
        connectionString: url,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      });
      current = c;
      c.on('error', () => lost(c));
      c.on('end', () => lost(c));
      c.on('notification', (n) => {
        if (n.channel === name && c === current) onNotify(n.payload ?? '');
      });
      try {
        await c.connect();
        await c.query(`listen ${name}`);
      } catch {
        lost(c);
        return;
      }
      if (closed || c !== current) {
        end(c);
        return;
      }
      live = true;
      // What was sent while it was down is gone.
      onGap();
    };
    listeners.add(handle);
    await connect();
    return handle;
  };
  /** Statements on one client of the pool. */
  const on = (client: pg.PoolClient): Queryable => ({
    query: (text, params, name) => run(client, text, params, name),
    exec: async (sql) => {
      await client.query(sql);
    },
  });
  /** Clients whose ROLLBACK failed after an error: not put back into use. */
  const unfit = new WeakSet<pg.PoolClient>();
  /** A transaction on `client`. */
  const inTx = async <T>(client: pg.PoolClient, fn: (q: Queryable) => Promise<T>): Promise<T> => {
    try {
      await client.query('begin');
      const result = await fn(on(client));
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => unfit.add(client));
      throw err;
    }
  };
  /**
   * Runs `fn` on a pooled connection and puts it back fit for the next user. Not pool.query: it
   * closes the connection after any error, so every refused guard (a 409) or unique violation cost a
   * new backend, its caches and its prepared statements (and, at checkout, a use shard without a
   * quota: refused again). An error the server answered leaves the connection usable, except those
   * that `ruinsConnection` names. `mayLeaveTx`: `fn` may send a string of several statements (pg-boss
   * sends `BEGIN; …; COMMIT;`), whose failure leaves a transaction open that only ROLLBACK ends; a
   * statement with parameters or a name cannot (its Sync ends the implicit transaction).
   */
  const pooled = async <T>(fn: (client: pg.PoolClient) => Promise<T>, mayLeaveTx: boolean): Promise<T> => {
    const client = await pool.connect();
    let retire: Error | undefined;
    // Checked out, a client has no pool listener: a socket that dies now must not crash the process.
    const onError = (err: Error) => {
      retire ??= err;
    };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (err) {
      if (ruinsConnection(err)) retire ??= err as Error;
      else if (mayLeaveTx && err instanceof pg.DatabaseError && retire === undefined)
        await client.query('rollback').catch(() => unfit.add(client));
      throw err;
    } finally {
      client.removeListener('error', onError);
      if (unfit.has(client)) retire ??= new Error('the connection could not roll back');
      client.release(retire);
    }
  };
  const db: Db = {
    kind: 'postgres',
    query: (text, params, name) =>
      pooled((client) => run(client, text, params, name), name === undefined && (params ?? []).length === 0),
    tx: (fn) => pooled((client) => inTx(client, fn), false),
    session: (fn) =>
      pooled((client) => {
        const session: Db = {
          kind: 'postgres',
          ...on(client),
          tx: (inner) => inTx(client, inner),
          session: (inner) => inner(session),
          listen,
          close: async () => {},
        };
        return fn(session);
      }, true),
    exec: (sql) => pooled(async (client) => void (await client.query(sql)), true),
    listen,
    async close() {
      await Promise.all([...listeners].map((l) => l.close()));
      await pool.end();
    },
  };
  return db;
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_SERIALIZATION_FAILURE = '40001';
export const PG_DEADLOCK = '40P01';

/** SQL for the timestamptz expression `ts` as UTC epoch milliseconds (int8; null stays null): the core's time unit. */
export function epochMs(ts: string): string {
  return `(extract(epoch from ${ts}) * 1000)::int8`;
}

/** SQL taking the transaction-scoped advisory lock named by the text expression `key` (`lockKey`). */
export function advisoryLock(key: string): string {
  return `pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}

/**
 * Takes a transaction-scoped advisory lock named by `key` (held until the transaction ends): the
 * way writers of one thing that has no row of its own (a customer's ledger, a store's tier run)
 * go one after another.
 */
export async function lockKey(q: Queryable, key: string): Promise<void> {
  await q.query(`select ${advisoryLock('$1')}`, [key]);
}

/**
 * Whether the server's answer means its connection is not to be reused: it is closing it (FATAL,
 * PANIC), the protocol lost step (an error without a code), or a prepared statement went stale under
 * a schema change (0A000 cached plan must not change result type, 26000) and would fail again on it.
 */
export function ruinsConnection(err: unknown): boolean {
  if (!(err instanceof pg.DatabaseError)) return false;
  return (
    err.code === undefined ||
    err.severity === 'FATAL' ||
    err.severity === 'PANIC' ||
    err.code === '0A000' ||
    err.code === '26000'
  );
}

export function pgErrorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}
