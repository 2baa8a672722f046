/**
 * `npm run bench -- ingest`: how fast store data gets in, and at what memory cost.
 *
 * 1. CSV import: writes a synthetic orders file in the `generic` format (1M lines by default: about
 *    330k orders of 1–5 lines from 100k customers buying from 500 products, 2% refunded; seeded, so
 *    the same arguments give the same bytes) and a quarter-size one, then runs
 *    `comeback import orders FILE --format generic` as a child process into a fresh PGlite directory
 *    and a fresh PostgreSQL database. Reports rows/s (wall time of the child, start-up included) and
 *    the child's peak RSS: the same peak for both sizes shows memory does not grow with the file.
 * 2. Batch API: the HTTP API in a child process on a fresh database (as `comeback serve` builds it,
 *    without the job worker), a few concurrent clients POSTing /v1/orders/batch with 1,000 orders per
 *    request; reports orders/s, the server's peak RSS and CPU, and the database server's CPU.
 *
 * Arguments: `--lines N` (default 1,000,000), `--only pglite|postgres`, `--seed N` (42),
 * `--api-orders N` (default lines / 10), `--clients N` (4), `--keep` (keep the generated files);
 * `--serve` is the API child's own mode. Wall times include the other load on the machine: each
 * result carries the CPU seconds of the importer and of the PostgreSQL backends, and the load average.
 * PostgreSQL at DATABASE_URL or postgres://postgres@127.0.0.1:5432; scratch databases are named
 * comeback_bench_* and dropped afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Random } from '../src/demo/random.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'comeback.js');
const TIME = '/usr/bin/time';
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const CUSTOMERS = 100_000;
const PRODUCTS = 500;
const START_MS = Date.UTC(2023, 0, 1);
const SPAN_MS = 2 * 365 * 86_400_000;

export type DbKind = 'pglite' | 'postgres';

interface Options {
  lines: number;
  only: DbKind | null;
  seed: number;
  apiOrders: number;
  clients: number;
  keep: boolean;
}

function parseArgs(args: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const int = (name: string, fallback: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v.replaceAll('_', ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
    return n;
  };
  const only = value('only');
  if (only !== undefined && only !== 'pglite' && only !== 'postgres')
    throw new Error('--only must be pglite or postgres');
  const lines = int('lines', 1_000_000);
  return {
    lines,
    only: only ?? null,
    seed: int('seed', 42),
    apiOrders: int('api-orders', Math.max(1000, Math.round(lines / 10))),
    clients: int('clients', 4),
    keep: args.includes('--keep'),
  };
}

// ---------------------------------------------------------------------------------------------
// Synthetic store: products, customers and a stream of orders
// ---------------------------------------------------------------------------------------------

const FIRST = [
  'Ada',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hugo',
  'Ida',
  'Jonas',
  'Lea',
  'Max',
];
const LAST = ['Meyer', 'Smith', 'Garcia', 'Rossi', 'Novak', 'Dubois', 'Jansen', 'Kowalski', 'Berg', 'Silva'];
const NOUNS = ['Mug', 'Tea', 'Coffee', 'Candle', 'Soap', 'Notebook', 'Socks', 'Scarf', 'Bowl', 'Lamp'];
const ADJECTIVES = ['Blue', 'Organic', 'Large', 'Classic', 'Vintage', 'Mini', 'Deluxe', 'Travel'];
const SOURCES = ['web', 'web', 'web', 'mobile', 'pos', 'marketplace'];

interface Product {
  sku: string;
  title: string;
  priceMinor: number;
}

interface Customer {
  id: string;
  email: string;
  first: string;
  last: string;
  phone: string;
}

interface OrderDraft {
  id: string;
  customer: Customer;
  placedAt: string;
  lines: Array<{ product: Product; quantity: number; discountMinor: number }>;
  shippingMinor: number;
  taxMinor: number;
  status: string;
  source: string;
  codes: string;
  refundedMinor: number;
}

/** A seeded store: the same seed gives the same products, customers and orders. */
class SyntheticStore {
  private readonly rng: Random;
  readonly products: Product[] = [];
  private readonly productCdf: Float64Array;
  private readonly customers: Customer[] = [];
  private readonly customerCdf: Float64Array;
  private ordersMade = 0;
  private seen = 0;

  constructor(
    seed: number,
    private readonly orderPrefix: string,
    private readonly expectedOrders: number,
  ) {
    this.rng = new Random(seed);
    const rng = this.rng;
    let acc = 0;
    this.productCdf = new Float64Array(PRODUCTS);
    for (let i = 0; i < PRODUCTS; i++) {
      const title = `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}${rng.bernoulli(0.1) ? ', set of 2' : ''}`;
      // Prices 3–150 EUR, skewed low; popularity Zipf-like.
      const priceMinor = Math.round(300 + 14_700 * rng.next() ** 2.5);
      this.products.push({ sku: `SKU-${String(i + 1).padStart(5, '0')}`, title, priceMinor });
      acc += 1 / (i + 5);
      this.productCdf[i] = acc;
    }
    for (let i = 0; i < PRODUCTS; i++) this.productCdf[i] /= acc;
    acc = 0;
    this.customerCdf = new Float64Array(CUSTOMERS);
    for (let i = 0; i < CUSTOMERS; i++) {
      const first = rng.pick(FIRST);
      const last = rng.pick(LAST);
      this.customers.push({
        id: `C${String(i + 1).padStart(7, '0')}`,
        email: `${first.toLowerCase()}.${last.toLowerCase()}${i + 1}@example.com`,
        first,
        last,
        phone: rng.bernoulli(0.4) ? `+49 170 ${String(rng.int(10_000_000)).padStart(7, '0')}` : '',
      });
      // Heterogeneous purchase rates (Gamma-distributed), as in real stores.
      acc += rng.gamma(0.8, 1);
      this.customerCdf[i] = acc;
    }
    for (let i = 0; i < CUSTOMERS; i++) this.customerCdf[i] /= acc;
  }

  /** 30% of orders come from a new customer (until all have bought), the rest from repeat buyers by rate. */
  private pickCustomer(): number {
    const rng = this.rng;
    if (this.seen < CUSTOMERS && (this.seen === 0 || rng.bernoulli(0.3))) return this.seen++;
    const i = rng.categoricalCumulative(this.customerCdf);
    return i < this.seen ? i : rng.int(this.seen);
  }

  /** The next order, placed a little after the previous one (exports come sorted by date). */
  nextOrder(): OrderDraft {
    const rng = this.rng;
    const n = this.ordersMade++;
    const placedMs = START_MS + Math.floor((SPAN_MS * n) / this.expectedOrders / 1000) * 1000;
    const lineCount = rng.intBetween(1, 5);
    const picked = new Set<number>();
    const lines: OrderDraft['lines'] = [];
    while (lines.length < lineCount) {
      const p = rng.categoricalCumulative(this.productCdf);
      if (picked.has(p)) continue;
      picked.add(p);
      const product = this.products[p];
      const quantity = rng.bernoulli(0.8) ? 1 : rng.intBetween(2, 4);
      const discountMinor = rng.bernoulli(0.1) ? Math.round(product.priceMinor * quantity * 0.1) : 0;
      lines.push({ product, quantity, discountMinor });
    }
    const subtotal = lines.reduce((a, l) => a + l.quantity * l.product.priceMinor - l.discountMinor, 0);
    const refunded = rng.bernoulli(0.02);
    return {
      id: `${this.orderPrefix}${1_000_000 + n}`,
      customer: this.customers[this.pickCustomer()],
      placedAt: new Date(placedMs).toISOString().replace('.000Z', 'Z'),
      lines,
      shippingMinor: subtotal >= 5000 ? 0 : 490,
      taxMinor: Math.round(subtotal * 0.19),
      status: refunded ? 'refunded' : rng.bernoulli(0.9) ? 'fulfilled' : 'paid',
      source: rng.pick(SOURCES),
      codes: rng.bernoulli(0.08) ? (rng.bernoulli(0.5) ? 'WELCOME10' : 'SUMMER;VIP') : '',
      refundedMinor: refunded ? subtotal : 0,
    };
  }
}

const money = (minor: number): string => (minor / 100).toFixed(2);
const csvCell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

const HEADER =
  'order_id,customer_id,email,first_name,last_name,phone,placed_at,currency,sku,title,quantity,unit_price,' +
  'line_discount,shipping,tax,status,source,discount_codes,refunded_amount\n';

/**
 * Writes `lines` order lines (the last order cut to fit) as a generic orders CSV, streaming: the file
 * is never held in memory. Order-level columns are filled on an order's first row only, as exports do.
 */
export async function writeOrdersCsv(path: string, lines: number, seed: number) {
  const started = performance.now();
  const store = new SyntheticStore(seed, 'B', Math.ceil(lines / 3));
  const out = createWriteStream(path);
  let chunk = HEADER;
  let written = 0;
  let orders = 0;
  let refunds = 0;
  const customers = new Set<string>();
  while (written < lines) {
    const o = store.nextOrder();
    orders++;
    if (o.refundedMinor) refunds++;
    customers.add(o.customer.id);
    const c = o.customer;
    for (let i = 0; i < o.lines.length && written < lines; i++, written++) {
      const l = o.lines[i];
      const first = i === 0;
      chunk += [
        o.id,
        c.id,
        first ? c.email : '',
        first ? c.first : '',
        first ? c.last : '',
        first ? c.phone : '',
        first ? o.placedAt : '',
        first ? 'EUR' : '',
        l.product.sku,
        csvCell(l.product.title),
        l.quantity,
        money(l.product.priceMinor),
        l.discountMinor ? money(l.discountMinor) : '',
        first ? money(o.shippingMinor) : '',
        first ? money(o.taxMinor) : '',
        first ? o.status : '',
        first ? o.source : '',
        first ? o.codes : '',
        first && o.refundedMinor ? money(o.refundedMinor) : '',
      ].join(',');
      chunk += '\n';
    }
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return {
    path,
    lines: written,
    orders,
    refunds,
    customers: customers.size,
    products: PRODUCTS,
    bytes: (await stat(path)).size,
    generateMs: Math.round(performance.now() - started),
  };
}

/** The same synthetic orders as API input (OrderInput JSON), for the batch endpoint. */
function apiOrder(o: OrderDraft) {
  return {
    external_id: o.id,
    customer: {
      external_id: o.customer.id,
      email: o.customer.email,
      first_name: o.customer.first,
      last_name: o.customer.last,
    },
    placed_at: o.placedAt,
    currency: 'EUR',
    status: o.status === 'refunded' ? 'paid' : o.status,
    source: o.source,
    discount_codes: o.codes ? o.codes.split(';') : [],
    shipping_minor: o.shippingMinor,
    tax_minor: o.taxMinor,
    lines: o.lines.map((l) => ({
      sku: l.product.sku,
      title: l.product.title,
      quantity: l.quantity,
      unit_price_minor: l.product.priceMinor,
      discount_minor: l.discountMinor,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes: wall time and peak RSS
// ---------------------------------------------------------------------------------------------

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  peakRssMB: number | null;
  /** CPU seconds of the child (user + system), when measurable. */
  cpuSeconds: number | null;
}

function mb(kb: number): number {
  return Math.round(kb / 1024);
}

/** Peak RSS so far of a live process (VmHWM), in kB; null once it is gone. */
function vmHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a live process has used so far; null once it is gone. */
function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * Sums the CPU time of the PostgreSQL backends serving `database` (on this machine) while `run`
 * runs, by polling /proc every 100 ms: how much of an import is the database server's work.
 */
async function withBackendCpu<T>(database: string | null, run: () => Promise<T>) {
  if (!database || !existsSync('/proc/self/stat')) return { result: await run(), backendCpuSeconds: null };
  const seen = new Map<string, number>();
  const pattern = new RegExp(`^postgres: .*\\b${database}\\b`);
  const poll = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) continue;
      } catch {
        continue;
      }
      const cpu = cpuSecondsOf(Number(pid));
      if (cpu !== null) seen.set(pid, Math.max(seen.get(pid) ?? 0, cpu));
    }
  };
  const timer = setInterval(poll, 100);
  try {
    const result = await run();
    poll();
    const total = [...seen.values()].reduce((a, b) => a + b, 0);
    return { result, backendCpuSeconds: Number(total.toFixed(1)) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Runs `node args…` to completion, measuring wall time, peak RSS and CPU time: with GNU time when
 * installed (exact), else by polling /proc/PID (VmHWM, the kernel's high-water mark) every 100 ms.
 */
async function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  const useTime = existsSync(TIME);
  const [cmd, argv] = useTime
    ? [TIME, ['-f', 'BENCH_TIME=%M %U %S', process.execPath, ...args]]
    : [process.execPath, args];
  const started = performance.now();
  const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  let polledKb = 0;
  let polledCpu: number | null = null;
  const poll = useTime
    ? null
    : setInterval(() => {
        polledKb = Math.max(polledKb, vmHwmKb(child.pid!) ?? 0);
        polledCpu = cpuSecondsOf(child.pid!) ?? polledCpu;
      }, 100);
  const [code] = (await once(child, 'close')) as [number | null];
  const wallMs = performance.now() - started;
  if (poll) clearInterval(poll);
  let peakKb: number | null = polledKb || null;
  let cpuSeconds: number | null = polledCpu;
  if (useTime) {
    const m = /BENCH_TIME=(\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
    peakKb = m ? Number(m[1]) : null;
    cpuSeconds = m ? Number((Number(m[2]) + Number(m[3])).toFixed(1)) : null;
    stderr = stderr.replace(/BENCH_TIME=.*\n?/, '');
  }
  return { code, stdout, stderr, wallMs, peakRssMB: peakKb === null ? null : mb(peakKb), cpuSeconds };
}

export async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  const run = await runNode([CLI, ...args], env);
  if (run.code !== 0)
    throw new Error(`comeback ${args.join(' ')} exited ${run.code}: ${run.stderr.slice(-2000)}`);
  return run;
}

/** A figure of the import report ("rows read          69,659"). */
function reportFigure(text: string, label: string): number | null {
  const m = new RegExp(`^${label}\\s+([\\d,]+)\\s*$`, 'm').exec(text);
  return m ? Number(m[1].replaceAll(',', '')) : null;
}

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------

export interface Scratch {
  kind: DbKind;
  /** The PostgreSQL database's name; null for PGlite. */
  database: string | null;
  env: NodeJS.ProcessEnv;
  drop(): Promise<void>;
}

const baseUrl = (): URL => new URL(process.env.DATABASE_URL || DEFAULT_PG);
let scratchCount = 0;

async function adminQuery(sql: string): Promise<void> {
  const url = baseUrl();
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database with a store `bench`: a PGlite directory or a PostgreSQL database. */
export async function scratchDb(kind: DbKind): Promise<Scratch> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', COMEBACK_DEMO: 'off' };
  delete env.DATABASE_URL;
  let drop: () => Promise<void>;
  let database: string | null = null;
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(os.tmpdir(), 'comeback-bench-'));
    env.COMEBACK_DATA_DIR = dir;
    drop = () => rm(dir, { recursive: true, force: true });
  } else {
    const name = `comeback_bench_${process.pid}_${scratchCount++}`;
    database = name;
    await adminQuery(`drop database if exists ${name} with (force)`);
    await adminQuery(`create database ${name}`);
    const url = baseUrl();
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    drop = () => adminQuery(`drop database if exists ${name} with (force)`);
  }
  try {
    await cli(['stores', 'create', 'bench'], env);
  } catch (err) {
    await drop();
    throw err;
  }
  return { kind, database, env, drop };
}

// ---------------------------------------------------------------------------------------------
// The two benchmarks
// ---------------------------------------------------------------------------------------------

async function benchCsvImport(kind: DbKind, file: { path: string; lines: number }) {
  const db = await scratchDb(kind);
  try {
    const loadBefore = os.loadavg()[0];
    const { result: run, backendCpuSeconds } = await withBackendCpu(db.database, () =>
      cli(['import', 'orders', file.path, '--store', 'bench', '--format', 'generic'], db.env),
    );
    return {
      db: kind,
      lines: file.lines,
      seconds: Number((run.wallMs / 1000).toFixed(1)),
      rowsPerSec: Math.round(file.lines / (run.wallMs / 1000)),
      peakRssMB: run.peakRssMB,
      /** CPU seconds of the importing process (parsing, validation, ingestion; PGlite's engine too). */
      importCpuSeconds: run.cpuSeconds,
      /** CPU seconds of the PostgreSQL backends that served the import. */
      serverCpuSeconds: backendCpuSeconds,
      /** 1-minute load average before and after: other work on the machine slows the wall time. */
      loadAverage: [Number(loadBefore.toFixed(1)), Number(os.loadavg()[0].toFixed(1))],
      report: {
        rowsRead: reportFigure(run.stdout, 'rows read'),
        records: reportFigure(run.stdout, 'records'),
        created: reportFigure(run.stdout, 'created'),
        rejected: reportFigure(run.stdout, 'rejected'),
        customers: reportFigure(run.stdout, 'customers'),
        orders: reportFigure(run.stdout, 'orders'),
        refunds: reportFigure(run.stdout, 'refunds'),
      },
    };
  } finally {
    await db.drop();
  }
}

/**
 * `--serve`, run in the benchmark's child process: the HTTP API (as `comeback serve` builds it, without
 * the job worker) on the database the environment names, on a free port; stops on SIGTERM.
 */
async function serveApi(): Promise<never> {
  const { loadConfig } = await import('../src/config.ts');
  const { openDatabase } = await import('../src/db/open.ts');
  const { buildApp } = await import('../src/http/app.ts');
  const { createIdGenerator } = await import('../src/kernel/ids.ts');
  const { systemClock } = await import('../src/system-clock.ts');
  const opened = await openDatabase(loadConfig(), 'bench ingest --serve');
  const { default: pino } = await import('pino');
  const app = await buildApp(
    { db: opened.db, ids: createIdGenerator(), clock: systemClock, version: 'bench' },
    { logger: pino({ level: 'error' }, pino.destination(2)) },
  );
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.once('SIGTERM', async () => {
    await app.close();
    await opened.close();
    process.exit(0);
  });
  process.stdout.write(`API running at ${address}\n`);
  return new Promise<never>(() => {});
}

/** Starts the API server as a child process on a free port; resolves with its URL once it listens. */
async function startServer(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string; errors: () => string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'bench.js'), 'ingest', '--serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err.slice(-1000)}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${err.slice(-1000)}`));
    });
  });
  return { child, url, errors: () => err.slice(-3000) };
}

async function benchBatchApi(kind: DbKind, options: Options) {
  const db = await scratchDb(kind);
  const batchSize = 1000;
  try {
    const key = (await cli(['keys', 'create', '--store', 'bench'], db.env)).stdout.trim().split('\n').pop()!;
    const { child, url, errors } = await startServer(db.env);
    try {
      const store = new SyntheticStore(options.seed + 1, 'A', options.apiOrders);
      const requests = Math.ceil(options.apiOrders / batchSize);
      let next = 0;
      let orders = 0;
      let lines = 0;
      let created = 0;
      const latencies: number[] = [];
      const client = async () => {
        while (next < requests) {
          const i = next++;
          const count = Math.min(batchSize, options.apiOrders - i * batchSize);
          const data = Array.from({ length: count }, () => apiOrder(store.nextOrder()));
          for (const o of data) lines += o.lines.length;
          const body = JSON.stringify({ data });
          const t = performance.now();
          const res = await fetch(`${url}/v1/orders/batch`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body,
          });
          const json = (await res.json()) as { created?: number };
          if (!res.ok) {
            await new Promise((resolve) => setTimeout(resolve, 500)); // the server's log of it
            throw new Error(
              `batch ${i} answered ${res.status}: ${JSON.stringify(json).slice(0, 500)}\n${errors()}`,
            );
          }
          latencies.push(performance.now() - t);
          orders += count;
          created += json.created ?? 0;
        }
      };
      const started = performance.now();
      const cpuBefore = cpuSecondsOf(child.pid!);
      const loadBefore = os.loadavg()[0];
      const { backendCpuSeconds } = await withBackendCpu(db.database, () =>
        Promise.all(Array.from({ length: options.clients }, client)),
      );
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = cpuSecondsOf(child.pid!);
      latencies.sort((a, b) => a - b);
      const pct = (p: number) =>
        Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]);
      return {
        db: kind,
        orders,
        lines,
        created,
        batchSize,
        clients: options.clients,
        seconds: Number(seconds.toFixed(1)),
        ordersPerSec: Math.round(orders / seconds),
        linesPerSec: Math.round(lines / seconds),
        requestMs: { p50: pct(0.5), p95: pct(0.95), max: Math.round(latencies[latencies.length - 1]) },
        serverPeakRssMB: mb(vmHwmKb(child.pid!) ?? 0),
        serverCpuSeconds:
          cpuBefore !== null && cpuAfter !== null ? Number((cpuAfter - cpuBefore).toFixed(1)) : null,
        databaseCpuSeconds: backendCpuSeconds,
        loadAverage: [Number(loadBefore.toFixed(1)), Number(os.loadavg()[0].toFixed(1))],
      };
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  } finally {
    await db.drop();
  }
}

/** Runs the ingestion benchmarks and returns their figures (see the file comment). */
export async function benchIngest(args: string[]): Promise<object> {
  if (args.includes('--serve')) return serveApi();
  const options = parseArgs(args);
  const kinds: DbKind[] = options.only ? [options.only] : ['pglite', 'postgres'];
  const log = (msg: string) => process.stderr.write(`[bench ingest] ${msg}\n`);
  const dir = await mkdtemp(join(os.tmpdir(), 'comeback-bench-csv-'));
  try {
    const sizes = [options.lines, Math.max(1, Math.round(options.lines / 4))];
    const files = [];
    for (const lines of sizes) {
      log(`writing ${lines.toLocaleString('en-US')} lines`);
      files.push(await writeOrdersCsv(join(dir, `orders-${lines}.csv`), lines, options.seed));
    }
    const csvImport: Array<Awaited<ReturnType<typeof benchCsvImport>>> = [];
    for (const kind of kinds) {
      for (const file of files) {
        log(`import ${file.lines.toLocaleString('en-US')} lines into ${kind}`);
        const r = await benchCsvImport(kind, file);
        log(`  ${r.seconds} s, ${r.rowsPerSec.toLocaleString('en-US')} rows/s, peak RSS ${r.peakRssMB} MB`);
        csvImport.push(r);
      }
    }
    const batchApi: Array<Awaited<ReturnType<typeof benchBatchApi>>> = [];
    for (const kind of kinds) {
      log(`batch API: ${options.apiOrders.toLocaleString('en-US')} orders into ${kind}`);
      const r = await benchBatchApi(kind, options);
      log(`  ${r.seconds} s, ${r.ordersPerSec.toLocaleString('en-US')} orders/s`);
      batchApi.push(r);
    }
    const full = (kind: DbKind) => csvImport.find((r) => r.db === kind && r.lines === options.lines);
    const pgFull = full('postgres');
    const cpus = os.cpus();
    return {
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? null,
        memoryMB: Math.round(os.totalmem() / 2 ** 20),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        peakRssBy: existsSync(TIME) ? 'GNU time %M' : '/proc/PID/status VmHWM polled every 100 ms',
      },
      options: { lines: options.lines, seed: options.seed, only: options.only, apiOrders: options.apiOrders },
      files: files.map(({ path: _p, ...f }) => ({ ...f, megabytes: Math.round(f.bytes / 1e6) })),
      csvImport,
      batchApi,
      targets: pgFull
        ? {
            postgres: `${pgFull.lines.toLocaleString('en-US')} lines in ${pgFull.seconds} s (target < 60 s for 1M)`,
            postgresUnder60s: options.lines >= 1_000_000 ? pgFull.seconds < 60 : null,
            peakRssUnder500MB: csvImport
              .filter((r) => r.db === 'postgres')
              .every((r) => r.peakRssMB !== null && r.peakRssMB < 500),
          }
        : null,
    };
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
    else log(`files kept in ${dir}`);
  }
}
