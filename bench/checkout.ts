/**
 * `npm run bench -- checkout`: the checkout API under load, as the issue asks. For each database
 * (PostgreSQL on a fresh scratch database, then PGlite in a fresh directory) it starts the real
 * server (`comeback serve`, default logging) as a child process, seeds a store through the API
 * (20 active promotions, 1,000 customers with 50 ledger entries each, products, one order per
 * customer), and measures with autocannon, 10 s each:
 * - the maximum throughput of `GET /v1/orders/{id}` (one primary-key read: the floor) and of
 *   `POST /v1/checkout/evaluate` (5-line carts, a code and points, customers in rotation);
 * - evaluate's latency at an offered 500 req/s, and commit's (unique orders) at the same rate: with
 *   the automatic promotions only, and with every order also using one limited coupon; each after
 *   warming up at that rate while it still gets faster (`commit_warm_up`: its 2 s rounds, reported).
 * Offered rate: autocannon's `-R` is a per-connection quota per second, sent back to back when each
 * second starts, so one instance at 20 connections and 500 req/s hits the server with 20-wide bursts
 * for part of every second and measures latency at concurrency 20, not at a steady 500 req/s. The
 * at-rate figures therefore come from K instances (`--streams`, 10) of connections/K connections at
 * rate/K each, started 1000/K ms apart so their bursts interleave into a near-uniform arrival rate;
 * percentiles are exact over every response (no coordinated-omission correction). The old one-instance
 * figure is kept for evaluate as `evaluate_at_rate_autocannon_burst`, for comparison.
 * Then it prints the targets (on PostgreSQL) with pass or fail. The load generator, the server and
 * the database share the machine's cores: the load average before and after each run is reported.
 * Arguments: `--db postgres|pglite|both` (both), `--seconds 10`, `--connections 20`, `--rate 500`,
 * `--streams 10`;
 * `--profile <dir>` measures only evaluate (or commit at the rate, `--profile-route commit`), on a
 * server run with `--cpu-prof` into that directory;
 * `--keep` keeps the scratch databases (to look at query plans);
 * `--wal-compression lz4|zstd|pglz|on|off|server` (server): the scratch PostgreSQL database's
 * `wal_compression` (`server`: as the server has it; PostgreSQL's default is off, the README
 * recommends lz4), named beside the targets;
 * `--checkpoint-before`: a CHECKPOINT just before each commit measurement, the worst case (after
 * one, the first change to each page writes the whole page to the WAL).
 * The settings that shape commit latency are reported, and each measured phase and warm-up says
 * what the WAL took while it ran (`wal`: checkpoints started, full-page images, MB).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import autocannon, { type Request, type Result } from 'autocannon';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { mulberry32 } from './analytics.ts';
import { cli, type DbKind, type Scratch, scratchDb } from './ingest.ts';

const ROOT = new URL('..', import.meta.url).pathname;
/**
 * Customers in rotation. The customers have 50 ledger entries; every commit adds one or
 * two to its customer's ledger and a pending checkout, so the commit phases (15,000 to 26,000
 * orders, as the warm-ups last) keep that shape only with enough customers: at 200, each had
 * 150–200 entries and 75 pending checkouts by the last phase (a customer ordering 25 times a
 * second); at 1,000, 15 to 26 orders each (`commits_per_customer`).
 */
const CUSTOMERS = 1000;
const LEDGER_ENTRIES = 50;
const PRODUCTS = 50;

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

const load1 = (): number => Number(os.loadavg()[0].toFixed(2));

/** The machine's CPU time so far (Linux /proc/stat, in ticks): all of it, and what the hypervisor stole. */
function cpuTicks(): { total: number; steal: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: f.slice(0, 8).reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
  } catch {
    return null;
  }
}

/**
 * The share of CPU time a virtual machine's host took for others during a measurement: on a
 * shared VM the same code measures faster or slower with it, so figures are read beside it.
 */
function stealPercent(before: ReturnType<typeof cpuTicks>): number | null {
  const after = cpuTicks();
  if (!before || !after || after.total === before.total) return null;
  return +((100 * (after.steal - before.steal)) / (after.total - before.total)).toFixed(1);
}

/**
 * How long a fixed piece of arithmetic takes on one core now, in ms (the median of five): the
 * machine's speed at that moment. On this VM the host's share is not reported as steal, yet the
 * same code sometimes ran half as fast for tens of seconds; read each measurement beside the
 * canaries taken just before and after it (about 10 ms here when the machine is idle and at speed).
 */
function cpuCanaryMs(): number {
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    let a = 1;
    let sum = 0;
    for (let i = 0; i < 3_000_000; i++) {
      // mulberry32's steps: integer work the JIT cannot fold away (the sum is kept below).
      a = (a + 0x6d2b79f5) >>> 0;
      let x = Math.imul(a ^ (a >>> 15), a | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      sum += (x ^ (x >>> 14)) >>> 0;
    }
    times.push(performance.now() - t);
    if (sum < 0) throw new Error('unreachable');
  }
  return +times.sort((x, y) => x - y)[2].toFixed(1);
}

/** Watches the machine around a measurement: the call gives its load average, steal and canaries, before and after. */
function watchMachine(): () => Pick<Measured, 'load_average' | 'cpu_steal_percent' | 'cpu_canary_ms'> {
  const load = load1();
  const canary = cpuCanaryMs();
  const ticks = cpuTicks();
  return () => ({
    load_average: [load, load1()],
    cpu_steal_percent: stealPercent(ticks),
    cpu_canary_ms: [canary, cpuCanaryMs()],
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The real server (`comeback serve`) on the scratch database; its log goes to a file as in production. */
async function startServe(
  db: Scratch,
  profileDir: string | null = null,
): Promise<{ child: ChildProcess; url: string; log: string }> {
  const port = await freePort();
  const log = join(await mkdtemp(join(os.tmpdir(), 'comeback-bench-log-')), 'serve.log');
  const fd = openSync(log, 'w');
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...prof, join(ROOT, 'bin', 'comeback.js'), 'serve'], {
    cwd: ROOT,
    env: { ...db.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', COMEBACK_DEMO: 'off' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`comeback serve exited ${child.exitCode}; see ${log}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, url, log };
    } catch {}
    if (Date.now() > deadline) throw new Error(`comeback serve did not start; see ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function bounded(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/**
 * 18 automatic promotions without limits (storewide rules) and 2 shared codes, active, of every
 * kind of condition and action; BENCH10 is a coupon limited to 10 million uses.
 */
function promotions(): object[] {
  const out: object[] = [];
  const actions = [
    { code: 'percent_off', args: { percent_bps: 500, max_discount_minor: 2000 } },
    { code: 'amount_off', args: { amount_minor: 300 } },
    { code: 'free_shipping', args: {} },
    { code: 'buy_x_get_y', args: { buy_quantity: 2, get_quantity: 1, percent_bps: 5000 } },
    {
      code: 'spend_threshold',
      args: {
        steps: [
          { min_subtotal_minor: 5000, amount_off_minor: 500 },
          { min_subtotal_minor: 10_000, percent_bps: 1000 },
        ],
      },
    },
    { code: 'bonus_points', args: { points: 50 } },
  ];
  const conditions = [
    [{ code: 'min_subtotal', args: { amount_minor: 3000 } }],
    [{ code: 'customer_segment', args: { segments: ['vip'] } }],
    [{ code: 'min_quantity', args: { quantity: 3 } }],
    [{ code: 'order_count', args: { min: 1 } }],
    [{ code: 'channel', args: { channels: ['web'] } }],
    [{ code: 'yearly_window', args: { from: { month: 1, day: 1 }, to: { month: 12, day: 31 } } }],
  ];
  for (let i = 0; i < 18; i++)
    out.push({
      id: `auto-${String(i).padStart(2, '0')}`,
      name: `Automatic ${i}`,
      trigger: { type: 'automatic' },
      priority: 10 + i,
      class: i % 3 === 0 ? 'tiered' : null,
      applies_to: i % 2 === 0 ? { category_ids: [`cat-${i % 5}`] } : {},
      conditions: conditions[i % conditions.length],
      actions: [actions[i % actions.length]],
    });
  out.push(
    {
      id: 'code-bench10',
      name: 'Bench 10 %',
      trigger: { type: 'code', code: 'BENCH10' },
      class: 'coupon',
      limits: { total_uses: 10_000_000 },
      actions: [{ code: 'percent_off', args: { percent_bps: 1000 } }],
    },
    {
      id: 'code-ship',
      name: 'Free shipping',
      trigger: { type: 'code', code: 'SHIPFREE' },
      conditions: [{ code: 'min_subtotal', args: { amount_minor: 2000 } }],
      actions: [{ code: 'free_shipping', args: {} }],
    },
  );
  return out;
}

interface Seeded {
  key: string;
  orderIds: string[];
}

/** The store: program, promotions, products, customers with their ledgers, one order each. */
async function seed(url: string, key: string): Promise<Seeded> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text);
  };
  await call('PUT', '/v1/loyalty/program', {
    currency: 'EUR',
    earn: { points: 1, per_amount_minor: 100 },
    category_multipliers: [{ category_ids: ['cat-1'], multiplier_bps: 20_000 }],
    order_bonuses: [{ min_total_minor: 10_000, points: 100 }],
    redemption: { points: 100, value_minor: 100, max_share_bps: 5000 },
  });
  for (const p of promotions()) await call('POST', '/v1/promotions', p);
  await call('POST', '/v1/products/batch', {
    data: Array.from({ length: PRODUCTS }, (_, i) => ({
      external_id: `p-${i}`,
      sku: `SKU-${i}`,
      title: `Product ${i}`,
      category: `cat-${i % 5}`,
      price_minor: 500 + i * 100,
      currency: 'EUR',
    })),
  });
  await call('POST', '/v1/customers/batch', {
    data: Array.from({ length: CUSTOMERS }, (_, i) => ({
      external_id: `c-${i}`,
      email: `c${i}@example.com`,
      tags: i % 4 === 0 ? ['vip'] : [],
      birthday: `1990-${String(1 + (i % 12)).padStart(2, '0')}-15`,
    })),
  });
  const orders = await call('POST', '/v1/orders/batch', {
    data: Array.from({ length: CUSTOMERS }, (_, i) => ({
      external_id: `o-${i}`,
      customer: { external_id: `c-${i}` },
      placed_at: new Date(Date.now() - (1 + i) * 86_400_000).toISOString(),
      currency: 'EUR',
      lines: [{ sku: `SKU-${i % PRODUCTS}`, quantity: 1, unit_price_minor: 2500 }],
    })),
  });
  // 50 ledger entries per customer: 45 credits of 100, then 5 debits of 30 (FIFO lots consumed).
  await bounded(CUSTOMERS * LEDGER_ENTRIES, 16, async (n) => {
    const c = n % CUSTOMERS;
    const k = Math.floor(n / CUSTOMERS);
    const debit = k >= LEDGER_ENTRIES - 5;
    await call('POST', `/v1/customers/c-${c}/loyalty/adjustments`, {
      points: debit ? -30 : 100,
      reason: debit ? 'bench debit' : 'bench credit',
      key: `seed-${c}-${k}`,
    });
  });
  return { key, orderIds: orders.results.map((r: { id: string }) => r.id) };
}

function cart(i: number, extra: Record<string, unknown> = {}): string {
  const rnd = mulberry32(1000 + i); // the same store on every run
  return JSON.stringify({
    customer: { external_id: `c-${i % CUSTOMERS}` },
    currency: 'EUR',
    channel: 'web',
    lines: Array.from({ length: 5 }, () => {
      const p = Math.floor(rnd() * PRODUCTS);
      return { sku: `SKU-${p}`, quantity: 1 + Math.floor(rnd() * 3), unit_price_minor: 500 + p * 100 };
    }),
    shipping_minor: 490,
    codes: ['BENCH10', 'SHIPFREE'],
    points: 200,
    ...extra,
  });
}

interface Measured {
  requests_per_second: number;
  p50_ms: number;
  p90_ms?: number;
  p99_ms: number;
  max_ms?: number;
  requests: number;
  non_2xx: number;
  errors: number;
  timeouts: number;
  load_average: [number, number];
  cpu_steal_percent: number | null;
  /** `cpuCanaryMs` just before and just after the measurement. */
  cpu_canary_ms: [number, number];
  arrivals?: string;
}

async function measure(
  url: string,
  key: string,
  o: { seconds: number; connections: number; rate?: number; request: () => Request },
): Promise<Measured> {
  const machine = watchMachine();
  const r: Result = await autocannon({
    url,
    connections: o.connections,
    duration: o.seconds,
    overallRate: o.rate,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, ...o.request() }) }],
  });
  return {
    requests_per_second: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    requests: r.requests.total,
    non_2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    ...machine(),
  };
}

/** autocannon's return value is also an EventEmitter (bench/autocannon.d.ts declares only the promise). */
type Instance = Promise<Result> & {
  on(
    event: 'response',
    fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
  ): unknown;
};

/**
 * A near-uniform offered rate: `streams` autocannon instances, each with its share of the connections
 * and of the rate, started 1000/streams ms apart so that their once-a-second bursts interleave. Every
 * response's latency is collected (exact percentiles over all instances, no coordinated-omission
 * correction); requests per second is the sum of the instances' measured rates (responses / duration).
 */
async function measureSmooth(
  url: string,
  key: string,
  o: { seconds: number; connections: number; rate: number; streams: number; request: () => Request },
): Promise<Measured> {
  const machine = watchMachine();
  const k = o.streams;
  const connections = Math.max(1, Math.ceil(o.connections / k));
  const rate = o.rate / k;
  const stagger = 1000 / k;
  const latencies: number[] = [];
  const results = await Promise.all(
    Array.from({ length: k }, async (_, i): Promise<Result> => {
      await new Promise((r) => setTimeout(r, i * stagger));
      const instance = autocannon({
        url,
        connections,
        duration: o.seconds,
        overallRate: rate,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        requests: [{ setupRequest: (req) => ({ ...req, ...o.request() }) }],
      }) as Instance;
      instance.on('response', (_client, _status, _bytes, responseTime) => {
        latencies.push(responseTime);
      });
      return await instance;
    }),
  );
  const sorted = Float64Array.from(latencies).sort();
  const n = sorted.length;
  // Nearest rank: the smallest latency with at least p of the responses at or below it.
  const pct = (p: number): number => (n ? +sorted[Math.max(0, Math.ceil(p * n) - 1)].toFixed(2) : Number.NaN);
  const sum = (f: (r: Result) => number) => results.reduce((a, r) => a + f(r), 0);
  return {
    requests_per_second: Math.round(sum((r) => (r.duration > 0 ? r.requests.total / r.duration : 0))),
    p50_ms: pct(0.5),
    p90_ms: pct(0.9),
    p99_ms: pct(0.99),
    max_ms: pct(1),
    requests: n,
    non_2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    ...machine(),
    arrivals: `${k} autocannon instances of ${connections} connections at ${rate} req/s, starts staggered by ${+stagger.toFixed(1)} ms`,
  };
}

/** The PostgreSQL settings that shape commit latency, as the scratch database's sessions see them. */
const SETTINGS = [
  'wal_compression',
  'checkpoint_timeout',
  'max_wal_size',
  'shared_buffers',
  'synchronous_commit',
  'autovacuum',
] as const;

/** What the WAL took during a measurement. */
interface WalUse {
  /** Checkpoints PostgreSQL started (after one, the first change to each page writes it whole). */
  checkpoints_started: number;
  /** Whole pages written to the WAL (full-page images), and all the WAL written, in MB. */
  wal_full_page_images: number;
  wal_mb: number;
}

/**
 * The scratch PostgreSQL database, for the bench's own questions: its settings, and what the WAL
 * took (checkpoints started, full-page images, bytes) between two readings.
 */
async function inspector(db: Scratch, walCompression: string) {
  if (!['server', 'lz4', 'zstd', 'pglz', 'on', 'off'].includes(walCompression))
    throw new Error(`--wal-compression: ${walCompression} is none of lz4, zstd, pglz, on, off, server`);
  const client = new pg.Client({ connectionString: db.env.DATABASE_URL });
  // Dropping the scratch database ends this session: not a crash.
  client.on('error', () => {});
  await client.connect();
  let counters: string;
  try {
    // Set for the database's sessions (the server's connections start after this); a superuser's
    // setting, as on a server configured the way the docs recommend.
    if (walCompression !== 'server')
      await client.query(
        `alter database ${client.escapeIdentifier(db.database as string)} set wal_compression = '${walCompression}'`,
      );
    // PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer.
    const v17 = (await client.query("select to_regclass('pg_catalog.pg_stat_checkpointer') as t")).rows[0].t;
    counters = `select ${v17 ? '(select num_timed + num_requested from pg_stat_checkpointer)' : '(select checkpoints_timed + checkpoints_req from pg_stat_bgwriter)'} as checkpoints,
      wal_fpi as fpi, wal_bytes as bytes from pg_stat_wal`;
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  const read = async () => {
    const r = (await client.query<{ checkpoints: string; fpi: string; bytes: string }>(counters)).rows[0];
    return { checkpoints: Number(r.checkpoints), fpi: Number(r.fpi), bytes: Number(r.bytes) };
  };
  return {
    async settings(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      // A fresh session, so the database's settings apply.
      const c = new pg.Client({ connectionString: db.env.DATABASE_URL });
      await c.connect();
      try {
        for (const name of SETTINGS) out[name] = (await c.query(`show ${name}`)).rows[0][name];
      } finally {
        await c.end();
      }
      return out;
    },
    /** A reading of the server's counters; `since` gives what the WAL took after it (all databases). */
    async mark(): Promise<{ since(): Promise<WalUse> }> {
      const before = await read();
      return {
        async since() {
          const now = await read();
          return {
            checkpoints_started: now.checkpoints - before.checkpoints,
            wal_full_page_images: now.fpi - before.fpi,
            wal_mb: +((now.bytes - before.bytes) / 1e6).toFixed(1),
          };
        },
      };
    },
    /** Starts a checkpoint now and waits for it (`--checkpoint-before`). */
    checkpoint: () => client.query('checkpoint'),
    close: () => client.end().catch(() => {}),
  };
}

async function benchOne(
  kind: DbKind,
  o: {
    seconds: number;
    connections: number;
    rate: number;
    streams: number;
    profile: string | null;
    profileRoute: string;
    keep: boolean;
    walCompression: string;
    checkpointBefore: boolean;
  },
) {
  const db = await scratchDb(kind);
  let server: Awaited<ReturnType<typeof startServe>> | null = null;
  let pgi: Awaited<ReturnType<typeof inspector>> | null = null;
  try {
    if (kind === 'postgres') pgi = await inspector(db, o.walCompression);
    /** A measurement, with what the WAL took while it ran (PostgreSQL). */
    const counted = async <T extends object>(run: () => Promise<T>): Promise<T & { wal?: WalUse }> => {
      const mark = await pgi?.mark();
      const m = await run();
      return mark ? { ...m, wal: await mark.since() } : m;
    };
    const key = (await cli(['keys', 'create', '--store', 'bench'], db.env)).stdout
      .trim()
      .split('\n')
      .pop() as string;
    server = await startServe(db);
    const seedStart = performance.now();
    const { orderIds } = await seed(server.url, key);
    const seedSeconds = Number(((performance.now() - seedStart) / 1000).toFixed(1));
    let n = 0;
    const evaluate = (): Request => ({
      method: 'POST',
      path: '/v1/checkout/evaluate',
      body: cart(n++),
    });
    const floor = (): Request => ({ method: 'GET', path: `/v1/orders/${orderIds[n++ % orderIds.length]}` });
    let orderNo = 0;
    const commitWith = (codes: string[]) => (): Request => {
      const i = orderNo++;
      return {
        method: 'POST',
        path: '/v1/checkout/commit',
        // Every fourth order redeems points; all book the points they earn (pending).
        body: cart(i, { order_external_id: `bench-${kind}-${i}`, codes, points: i % 4 === 0 ? 50 : 0 }),
      };
    };
    // The automatic promotions only (their uses go to shards), and every order with the limited coupon.
    const commit = commitWith([]);
    const commitCoupon = commitWith(['BENCH10']);
    // A commit must succeed before it is measured (a refused code would measure 409s).
    for (const make of [commit, commitCoupon]) {
      const probe = await fetch(`${server.url}/v1/checkout/commit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: make().body,
      });
      if (probe.status !== 201) throw new Error(`a bench commit was refused: ${await probe.text()}`);
    }
    if (o.profile) {
      // Profile one route alone: a second server, profiled, on the seeded database.
      await stopServe(server.child);
      server = await startServe(db, o.profile);
      if (o.profileRoute === 'commit') await measureSmooth(server.url, key, { ...o, request: commit });
      else await measure(server.url, key, { ...o, rate: undefined, request: evaluate });
      await stopServe(server.child);
      server = null;
      return null;
    }
    // Warm-up (JIT, caches, connection pools), not reported.
    await measure(server.url, key, { seconds: 2, connections: o.connections, request: evaluate });
    await measure(server.url, key, { seconds: 2, connections: o.connections, request: floor });
    const url = server.url;
    const floorMax = await counted(() => measure(url, key, { ...o, rate: undefined, request: floor }));
    const evaluateMax = await counted(() => measure(url, key, { ...o, rate: undefined, request: evaluate }));
    const evaluateAtRate = await counted(() => measureSmooth(url, key, { ...o, request: evaluate }));
    // One autocannon instance at -R: bursts at full concurrency every second (see the header).
    const evaluateAtRateBurst = await measure(url, key, { ...o, request: evaluate });
    // Each commit route warms up too, at the offered rate, while it still gets faster (see
    // `warmUp`); with `--checkpoint-before`, a checkpoint then starts the measurement (the worst
    // case: every page the commits change is written whole to the WAL first).
    const atRate = async (request: () => Request) => {
      const warm = await counted(() => warmUp(url, key, { ...o, request }));
      if (o.checkpointBefore) await pgi?.checkpoint();
      return { warm, measured: await counted(() => measureSmooth(url, key, { ...o, request })) };
    };
    const { warm: commitWarmUp, measured: commitAtRate } = await atRate(commit);
    const { warm: commitCouponWarmUp, measured: commitCouponAtRate } = await atRate(commitCoupon);
    return {
      db: kind,
      seed_seconds: seedSeconds,
      floor_get_order_max: floorMax,
      evaluate_max: evaluateMax,
      evaluate_share_of_floor: Number(
        (evaluateMax.requests_per_second / floorMax.requests_per_second).toFixed(2),
      ),
      evaluate_at_rate: evaluateAtRate,
      evaluate_at_rate_autocannon_burst: evaluateAtRateBurst,
      commit_warm_up: commitWarmUp,
      commit_at_rate: commitAtRate,
      /** Every order also takes a use of one limited coupon: its guarded counter row is held per commit through the WAL flush. */
      commit_with_limited_coupon_at_rate: commitCouponAtRate,
      commit_with_limited_coupon_warm_up: commitCouponWarmUp,
      /** PostgreSQL connections of the server: its DATABASE_POOL_SIZE, else the default (twice the cores). */
      server_pool_size: loadConfig(db.env).poolSize,
      /** As the server's sessions see them; `wal_compression` is the bench's `--wal-compression` unless `server`. */
      postgres_settings: pgi ? await pgi.settings() : null,
      /** Orders committed per customer over the whole run, warm-ups and probes included. */
      commits_per_customer: Number((orderNo / CUSTOMERS).toFixed(1)),
      server_log: server.log,
    };
  } finally {
    if (server) await stopServe(server.child);
    await pgi?.close();
    if (o.keep)
      process.stderr.write(`kept the ${kind} database: ${db.env.DATABASE_URL ?? db.env.COMEBACK_DATA_DIR}\n`);
    else await db.drop();
  }
}

/** A warm-up round's length, the fewest and the most rounds, and the p50 gain over the best round before that still counts as warming. */
const WARM_UP = { seconds: 2, minRounds: 2, maxRounds: 8, gain: 0.8 } as const;

interface WarmUpRound {
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
}

/**
 * Warms a route up at the offered rate while it is still getting faster, as the targets are about
 * a server in its steady state: rounds of 2 s until one's p50 is no longer a fifth below the best
 * round's before it (at most 8 rounds; `settled` false when the last one still gained). A server
 * that just started compiles its code and fills its caches as it goes: on this 2-core machine a
 * server's first commits had a p50 of up to 40 ms, settling at 3–4 ms after 4 to 12 s, and a fixed
 * 3 s warm-up sometimes ended mid-way, so the measurement paid for the backlog. A round slower
 * than the best does not extend the warm-up: a slow stretch (a checkpoint, the machine) is
 * measured, not waited out. Each round is a measurement of its own, its streams started 100 ms
 * apart, so the load ramps up and down at its ends (each round's rate is reported). Not at full
 * concurrency: a warm-up that saturates the server leaves a backlog too.
 */
async function warmUp(
  url: string,
  key: string,
  o: { connections: number; rate: number; streams: number; request: () => Request },
): Promise<{ rounds: WarmUpRound[]; settled: boolean }> {
  const rounds: WarmUpRound[] = [];
  let settled = false;
  while (!settled && rounds.length < WARM_UP.maxRounds) {
    const m = await measureSmooth(url, key, { ...o, seconds: WARM_UP.seconds });
    if (m.requests === 0) throw new Error(`a warm-up round of ${url} got no responses`);
    const best = Math.min(...rounds.map((r) => r.p50_ms));
    rounds.push({
      requests_per_second: m.requests_per_second,
      p50_ms: m.p50_ms,
      p99_ms: m.p99_ms,
      non_2xx: m.non_2xx,
    });
    settled = rounds.length >= WARM_UP.minRounds && m.p50_ms >= best * WARM_UP.gain;
  }
  return { rounds, settled };
}

type One = NonNullable<Awaited<ReturnType<typeof benchOne>>>;

function targets(pg: One, rate: number, checkpointBefore: boolean) {
  // What the commit targets were measured after: the warm-up cut a new server's first seconds.
  const warmedUp = (w: One['commit_warm_up']) =>
    `after ${w.rounds.length} warm-up rounds of ${WARM_UP.seconds} s${w.settled ? '' : ' (still getting faster)'}, the first at p50 ${w.rounds[0].p50_ms} ms, p99 ${w.rounds[0].p99_ms} ms`;
  const t = [
    {
      target: 'evaluate max throughput >= 50 % of GET /v1/orders/{id}',
      value: pg.evaluate_share_of_floor,
      pass: pg.evaluate_share_of_floor >= 0.5,
    },
    {
      target: `evaluate p99 < 10 ms at ${rate} req/s`,
      value: pg.evaluate_at_rate.p99_ms,
      pass: pg.evaluate_at_rate.p99_ms < 10 && pg.evaluate_at_rate.non_2xx === 0,
    },
    {
      target: `commit p99 < 25 ms at ${rate} req/s`,
      value: pg.commit_at_rate.p99_ms,
      pass: pg.commit_at_rate.p99_ms < 25 && pg.commit_at_rate.non_2xx === 0,
      measured: warmedUp(pg.commit_warm_up),
    },
    {
      target: `commit p99 < 25 ms at ${rate} req/s, every order using one limited coupon`,
      value: pg.commit_with_limited_coupon_at_rate.p99_ms,
      pass:
        pg.commit_with_limited_coupon_at_rate.p99_ms < 25 &&
        pg.commit_with_limited_coupon_at_rate.non_2xx === 0,
      measured: warmedUp(pg.commit_with_limited_coupon_warm_up),
    },
  ];
  return {
    on: 'postgres',
    // As the server's sessions had it (`--wal-compression` sets it for the scratch database).
    wal_compression: pg.postgres_settings?.wal_compression ?? null,
    checkpoint_before_each_commit_measurement: checkpointBefore,
    all_pass: t.every((x) => x.pass),
    checks: t,
  };
}

export async function benchCheckout(args: string[]): Promise<object> {
  const which = arg(args, 'db', 'both');
  const o = {
    seconds: Number(arg(args, 'seconds', '10')),
    connections: Number(arg(args, 'connections', '20')),
    rate: Number(arg(args, 'rate', '500')),
    streams: Math.max(1, Math.floor(Number(arg(args, 'streams', '10')))),
    profile: arg(args, 'profile', '') || null,
    profileRoute: arg(args, 'profile-route', 'evaluate'),
    keep: args.includes('--keep'),
    walCompression: arg(args, 'wal-compression', 'server'),
    checkpointBefore: args.includes('--checkpoint-before'),
  };
  const kinds: DbKind[] = which === 'both' ? ['postgres', 'pglite'] : [which as DbKind];
  const runs: One[] = [];
  for (const kind of kinds) {
    const run = await benchOne(kind, o);
    if (run) runs.push(run);
  }
  if (o.profile) return { profile: o.profile };
  const pg = runs.find((r) => r.db === 'postgres');
  return {
    machine: {
      cores: os.cpus().length,
      node: process.version,
      load_average_at_end: os.loadavg().map((l) => +l.toFixed(2)),
    },
    setup: {
      promotions_active: 20,
      cart_lines: 5,
      customers: CUSTOMERS,
      ledger_entries_per_customer: LEDGER_ENTRIES,
      seconds_per_measurement: o.seconds,
      connections: o.connections,
      offered_rate: o.rate,
      offered_rate_streams: o.streams,
      server: 'comeback serve (child process, LOG_LEVEL=info, log to a file)',
    },
    runs,
    targets: pg ? targets(pg, o.rate, o.checkpointBefore) : null,
  };
}
