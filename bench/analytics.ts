/**
 * `npm run bench -- analytics`: the analytics core on synthetic stores drawn from a known BG/NBD
 * process (r = 0.25, α = 4, a = 0.8, b = 2.5 in weeks; first purchases spread so T is uniform in
 * 10–78 weeks; spend from a Gamma-Gamma with p = 6, q = 4, v = 15), written as a CDNOW-layout
 * file. Times reading, summaries, each fit and scoring; reports peak RSS and how well the fit
 * recovers the true parameters; and times the whole `comeback analyze` as a child process.
 *
 * Arguments: `--customers 100000,1000000` (default both), `--seed 42`, `--keep` (keep the files).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitBgNbd } from '../src/analytics/bg-nbd.ts';
import {
  bgNbdConditionalExpectedPurchasesPatterns,
  bgNbdProbabilityAlivePatterns,
} from '../src/analytics/bg-nbd-predict.ts';
import { discountedPurchases, UNITS_PER_MONTH } from '../src/analytics/discounted-purchases.ts';
import { fitGammaGamma, gammaGammaExpectedSpend } from '../src/analytics/gamma-gamma.ts';
import { fitParetoNbd } from '../src/analytics/pareto-nbd.ts';
import { buildPurchaseHistory } from '../src/analytics/purchase-history.ts';
import { compressRfm } from '../src/analytics/rfm-patterns.ts';
import { summarizeRfm } from '../src/analytics/rfm-summary.ts';
import { scoreStore } from '../src/analytics/score-store.ts';
import { parseCdnowTransactions } from '../src/orders/formats/cdnow.ts';

const TRUTH = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 } as const;
const SPEND = { p: 6, q: 4, v: 15 } as const;
const DAY_MS = 86_400_000;
/** Observation end of the synthetic stores: 2024-06-30. */
const END_DAY = Date.UTC(2024, 5, 30) / DAY_MS;

/** mulberry32: a small, fast, seeded 32-bit PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 through Gamma(shape+1)·U^(1/shape). */
function gamma(rand: () => number, shape: number): number {
  if (shape < 1) return gamma(rand, shape + 1) * rand() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // standard normal by Box–Muller
      x = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Writes a synthetic store as a CDNOW master file; returns its size and row count. */
async function writeSyntheticStore(
  path: string,
  customers: number,
  seed: number,
): Promise<{ rows: number; bytes: number; exact: { x: Float64Array; tx: Float64Array; T: Float64Array } }> {
  const rand = mulberry32(seed);
  const out = createWriteStream(path);
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => out.write(text, (e) => (e ? reject(e) : resolve())));
  let rows = 0;
  let bytes = 0;
  let buffer = 'customer_id date number_of_cds dollar_value\r\n';
  // the simulated (x, t_x, T) in continuous weeks, before dates are rounded to days
  const exact = {
    x: new Float64Array(customers),
    tx: new Float64Array(customers),
    T: new Float64Array(customers),
  };
  const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
  for (let i = 0; i < customers; i++) {
    const T = 10 + 68 * rand(); // weeks
    const firstDay = END_DAY - Math.floor(T * 7);
    const ageWeeks = (END_DAY - firstDay) / 7;
    const lambda = gamma(rand, TRUTH.r) / TRUTH.alpha; // per week
    const ga = gamma(rand, TRUTH.a);
    const p = ga / (ga + gamma(rand, TRUTH.b));
    const nu = gamma(rand, SPEND.q) / SPEND.v;
    const id = String(i + 1).padStart(7, '0');
    const emit = (day: number) => {
      const value = gamma(rand, SPEND.p) / nu;
      const cds = 1 + Math.floor(value / 15);
      const line = `${id} ${dateOf(day)} ${cds} ${value.toFixed(2)}\r\n`;
      buffer += line;
      rows++;
    };
    emit(firstDay);
    let t = 0;
    exact.T[i] = ageWeeks;
    for (;;) {
      t += -Math.log(1 - rand()) / lambda;
      if (!(t < ageWeeks)) break;
      emit(firstDay + Math.floor(t * 7));
      exact.x[i]++;
      exact.tx[i] = t;
      if (rand() < p) break;
    }
    if (buffer.length > 1 << 20) {
      bytes += buffer.length;
      await write(buffer);
      buffer = '';
    }
  }
  bytes += buffer.length;
  await write(buffer);
  await new Promise<void>((resolve) => out.end(resolve));
  return { rows, bytes, exact };
}

const ms = (t0: number) => Math.round(performance.now() - t0);
const mb = (kb: number) => Math.round(kb / 1024);

/** Runs `node bin/comeback.js analyze …` and reports its wall time, exit code and peak RSS. */
function runCli(file: string): Promise<Record<string, unknown>> {
  const bin = new URL('../bin/comeback.js', import.meta.url).pathname;
  // a preload that prints the child's own peak RSS when it exits
  const rssProbe =
    "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nmaxRSS_KB='+u.maxRSS+' cpu_us='+(u.userCPUTime+u.systemCPUTime)+'\\n')})";
  const args = [
    '--import',
    rssProbe,
    bin,
    'analyze',
    '--orders',
    file,
    '--format',
    'cdnow',
    '--time-unit',
    'week',
    '--json',
  ];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => {
      const wallMs = ms(t0);
      const rss = /maxRSS_KB=(\d+)/.exec(stderr);
      const cpuUs = /cpu_us=(\d+)/.exec(stderr);
      let parsed: { models?: { bgnbd?: { params?: unknown } } } | null = null;
      try {
        parsed = JSON.parse(stdout);
      } catch {
        parsed = null;
      }
      resolve({
        command: `node bin/comeback.js ${args.slice(3).join(' ')}`,
        exitCode: code,
        wallMs,
        peakRssMb: rss ? mb(Number(rss[1])) : null,
        // CPU time (user + system, all threads): what the run costs without other load on the machine
        cpuMs: cpuUs ? Math.round(Number(cpuUs[1]) / 1000) : null,
        loadAverage: loadavg()[0],
        ok: code === 0 && parsed !== null,
        bgnbd: parsed?.models?.bgnbd?.params ?? null,
        error:
          code === 0
            ? null
            : stderr
                .replace(/maxRSS_KB=\d+ cpu_us=\d+/, '')
                .trim()
                .split('\n')
                .slice(-3)
                .join(' | '),
      });
    });
  });
}

async function benchOne(customers: number, seed: number, keep: boolean): Promise<Record<string, unknown>> {
  const file = join(tmpdir(), `comeback-bench-${customers}-${seed}.txt`);
  let t0 = performance.now();
  const written = await writeSyntheticStore(file, customers, seed);
  const generateMs = ms(t0);

  t0 = performance.now();
  const bytes = await readFile(file);
  const columns = parseCdnowTransactions(bytes, { decimalComma: false, defaultCurrency: 'USD' });
  const readMs = ms(t0);

  t0 = performance.now();
  const history = buildPurchaseHistory(columns);
  const summary = summarizeRfm(history, END_DAY, 'week', 2);
  const patterns = compressRfm(summary.frequency, summary.recency, summary.age, summary.present);
  const summariesMs = ms(t0);

  t0 = performance.now();
  const bg = fitBgNbd(patterns, { standardErrors: false });
  const bgMs = ms(t0);
  t0 = performance.now();
  const pn = fitParetoNbd(patterns, {
    standardErrors: false,
    initial: { r: bg.params.r, alpha: bg.params.alpha },
  });
  const pnMs = ms(t0);
  t0 = performance.now();
  const gg = fitGammaGamma(summary.frequency, summary.monetary, summary.present, { standardErrors: false });
  const ggMs = ms(t0);

  // score every customer: P(alive), expected purchases in 52 weeks, 12-month CLV (1 % a month)
  t0 = performance.now();
  const alive = bgNbdProbabilityAlivePatterns(bg.params, patterns);
  const horizon = 12 * UNITS_PER_MONTH.week;
  const discounted = discountedPurchases(
    (t) => bgNbdConditionalExpectedPurchasesPatterns(bg.params, patterns, t, alive),
    horizon,
    UNITS_PER_MONTH.week,
    0.01,
  );
  const expected = bgNbdConditionalExpectedPurchasesPatterns(bg.params, patterns, 52, alive);
  const clv = new Float64Array(summary.customerCount);
  let clvSum = 0;
  let expectedSum = 0;
  for (let c = 0; c < summary.customerCount; c++) {
    const p = patterns.patternOf[c];
    const spend = gammaGammaExpectedSpend(gg.params, summary.frequency[c], summary.monetary[c]);
    clv[c] = spend * discounted[p];
    clvSum += clv[c];
    expectedSum += expected[p];
  }
  const scoreMs = ms(t0);

  // the whole pure pipeline as the CLI runs it (metrics, three fits with standard errors, segments …)
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const scores = scoreStore(columns, {
    asOf: END_DAY * DAY_MS,
    timeUnit: 'week',
    horizon: 52,
    discountRate: 0.01,
    sleepingFactor: 3,
    model: 'bgnbd',
    timer: () => performance.now(),
  });
  const scoreStoreMs = ms(t0);
  const cpu1 = process.cpuUsage(cpu0);
  const scoreStoreCpuMs = Math.round((cpu1.user + cpu1.system) / 1000);
  const inProcessPeakRssMb = mb(process.resourceUsage().maxRSS);

  const recovery = Object.fromEntries(
    (Object.keys(TRUTH) as Array<keyof typeof TRUTH>).map((k) => [
      k,
      {
        truth: TRUTH[k],
        fitted: Number(bg.params[k].toPrecision(6)),
        relativeError: Number((Math.abs(bg.params[k] - TRUTH[k]) / TRUTH[k]).toFixed(4)),
      },
    ]),
  );
  // the same fit on the exact simulated times: separates estimator error from day rounding
  const exactFit = fitBgNbd(compressRfm(written.exact.x, written.exact.tx, written.exact.T), {
    standardErrors: false,
  });
  const recoveryExactTimes = Object.fromEntries(
    (Object.keys(TRUTH) as Array<keyof typeof TRUTH>).map((k) => [
      k,
      Number((Math.abs(exactFit.params[k] - TRUTH[k]) / TRUTH[k]).toFixed(4)),
    ]),
  );
  const cli = await runCli(file);
  if (!keep) await rm(file, { force: true });
  return {
    customers,
    transactions: written.rows,
    transactionsPerCustomer: Number((written.rows / customers).toFixed(3)),
    fileMb: Number((written.bytes / 2 ** 20).toFixed(1)),
    patterns: patterns.size,
    file: keep ? file : null,
    generateMs,
    readMs,
    summariesMs,
    fit: {
      bgnbd: {
        ms: bgMs,
        iterations: bg.iterations,
        converged: bg.converged,
        logLikelihood: bg.logLikelihood,
      },
      paretonbd: {
        ms: pnMs,
        iterations: pn.iterations,
        converged: pn.converged,
        params: Object.fromEntries(Object.entries(pn.params).map(([k, v]) => [k, Number(v.toPrecision(6))])),
      },
      gammaGamma: {
        ms: ggMs,
        iterations: gg.iterations,
        params: Object.fromEntries(Object.entries(gg.params).map(([k, v]) => [k, Number(v.toPrecision(6))])),
        truth: SPEND,
      },
    },
    scoreMs,
    scored: { expectedPurchases52Weeks: Math.round(expectedSum), clv12Months: Math.round(clvSum) },
    pipelineMs: readMs + scoreStoreMs,
    scoreStoreMs,
    scoreStoreCpuMs,
    // the fits inside scoreStore (warm-started from a subsample above 200,000 customers)
    scoreStoreFitMs: {
      bgnbd: scores.models.bgnbd?.fitMs ?? null,
      paretonbd: scores.models.paretonbd?.fitMs ?? null,
      gammaGamma: scores.models.gammaGamma?.fitMs ?? null,
    },
    inProcessPeakRssMb,
    bgnbdRecovery: recovery,
    bgnbdRecoveryOnExactTimes: recoveryExactTimes,
    sleeping: scores.segments.sleeping,
    endToEnd: cli,
  };
}

/**
 * Runs the benchmark and returns a JSON-able report.
 * @example await benchAnalytics(['--customers', '100000'])
 */
export async function benchAnalytics(args: string[]): Promise<object> {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const sizes = (value('--customers') ?? '100000,1000000').split(',').map(Number);
  const seed = Number(value('--seed') ?? 42);
  const keep = args.includes('--keep');
  const runs: Record<string, unknown>[] = [];
  for (const n of sizes) runs.push(await benchOne(n, seed, keep));
  return {
    benchmark: 'analytics',
    node: process.version,
    truth: { bgnbd: TRUTH, gammaGamma: SPEND, T: 'uniform 10–78 weeks' },
    targets: { endToEndMs: 5000, peakRssMb: 650, customers: 1_000_000 },
    runs,
  };
}
