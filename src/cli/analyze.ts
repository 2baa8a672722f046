/**
 * `comeback analyze`: reads an order file directly (no database), runs the analytics core
 * (scoreStore) and prints a report, or one JSON object with --json; --customers writes one CSV
 * row per customer.
 */
import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { LIFECYCLE_STAGES } from '../analytics/lifecycle.ts';
import { RFM_SEGMENTS } from '../analytics/rfm-scores.ts';
import type { TimeUnit } from '../analytics/rfm-summary.ts';
import { type ModelChoice, type StoreScores, scoreStore } from '../analytics/score-store.ts';
import { DAY_MS } from '../kernel/time.ts';
import { FILE_FORMATS, type FileFormat, type TransactionColumns } from '../orders/formats/types.ts';
import { readTransactionColumns } from '../orders/transactions-file.ts';

export interface AnalyzeOptions {
  orders: string;
  format: FileFormat;
  calibrationEnd?: string;
  asOf?: string;
  timeUnit: TimeUnit;
  horizon: number;
  discountRate: number;
  model: ModelChoice;
  sleepingFactor: number;
  penalty: number;
  customers?: string;
  json: boolean;
  currency: string;
  locale: 'en' | 'de';
}

/** Where the command writes; injectable for tests. */
export interface AnalyzeIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Show progress on stderr (only when it is a terminal). */
  progress: boolean;
}

const processIo: AnalyzeIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  progress: Boolean(process.stderr.isTTY),
};

function parseDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  }
  return value;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return n;
}

/**
 * Adds `comeback analyze` to the program.
 * @example registerAnalyzeCommand(new Command('comeback')).parseAsync(argv)
 */
export function registerAnalyzeCommand(program: Command): Command {
  return program
    .command('analyze')
    .description(
      'Analyse an order file without a database: retention metrics, BG/NBD, Pareto/NBD and Gamma-Gamma fits, holdout check, segments and per-customer scores',
    )
    .requiredOption('--orders <file>', 'the order file to read')
    .addOption(
      new Option('--format <format>', 'file layout').choices([...FILE_FORMATS]).makeOptionMandatory(),
    )
    .option(
      '--calibration-end <date>',
      'fit the models on purchases up to this day (YYYY-MM-DD) and check them on the rest',
      parseDate,
    )
    .option(
      '--as-of <date>',
      'score as of this day (YYYY-MM-DD); default: the last purchase day in the file',
      parseDate,
    )
    .addOption(
      new Option('--time-unit <unit>', 'time unit of the models').choices(['day', 'week']).default('week'),
    )
    .option('--horizon <n>', 'horizon of expected purchases and CLV, in time units', parsePositive, 52)
    .option('--discount-rate <r>', 'monthly discount rate of the CLV', parseNonNegative, 0.01)
    .addOption(
      new Option('--model <model>', 'model that scores customers (all are fitted)')
        .choices(['bgnbd', 'paretonbd', 'auto'])
        .default('bgnbd'),
    )
    .option(
      '--sleeping-factor <k>',
      'sleeping after k typical intervals without a purchase',
      parsePositive,
      3,
    )
    .option('--penalty <l2>', 'L2 penalty of the model fits', parseNonNegative, 0)
    .option('--customers <file>', 'write one CSV row per customer to this file')
    .option('--json', 'print one JSON object instead of the report', false)
    .option('--currency <code>', 'currency when the file has none', 'USD')
    .addOption(
      new Option('--locale <locale>', 'number format of the file and the report')
        .choices(['en', 'de'])
        .default('en'),
    )
    .action(async (opts: AnalyzeOptions) => {
      try {
        await runAnalyze(opts);
      } catch (error) {
        process.stderr.write(`comeback analyze: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}

/**
 * Runs the analysis and writes the report, the JSON object and/or the customer CSV.
 * @example await runAnalyze({ orders: 'CDNOW_sample.txt', format: 'cdnow', json: true, … })
 */
export async function runAnalyze(opts: AnalyzeOptions, io: AnalyzeIo = processIo): Promise<StoreScores> {
  const started = performance.now();
  const step = (text: string) => {
    if (io.progress) io.stderr(`\r\x1b[K${text} … ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  step(`reading ${basename(opts.orders)}`);
  const columns = await readTransactionColumns(opts.orders, opts.format, {
    decimalComma: opts.locale === 'de',
    defaultCurrency: opts.currency,
  });
  if (columns.length === 0)
    throw new Error(`no usable rows in ${opts.orders} (${columns.rejects.length} rejected)`);
  const asOf = opts.asOf ? Date.parse(`${opts.asOf}T00:00:00Z`) : lastDayMs(columns);
  const scores = scoreStore(columns, {
    asOf,
    calibrationEnd: opts.calibrationEnd ? Date.parse(`${opts.calibrationEnd}T00:00:00Z`) : null,
    timeUnit: opts.timeUnit,
    horizon: opts.horizon,
    discountRate: opts.discountRate,
    sleepingFactor: opts.sleepingFactor,
    model: opts.model,
    penalty: opts.penalty,
    onProgress: step,
    timer: () => performance.now(),
  });
  if (opts.customers) {
    step(`writing ${basename(opts.customers)}`);
    await writeCustomersCsv(opts.customers, columns, scores);
  }
  if (io.progress) io.stderr('\r\x1b[K');
  const { customers: _rows, ...report } = scores;
  if (opts.json) io.stdout(`${JSON.stringify({ input: inputInfo(opts, columns), ...report })}\n`);
  else io.stdout(formatReport(opts, columns, scores));
  return scores;
}

function lastDayMs(columns: TransactionColumns): number {
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < columns.length; i++) if (columns.timeMs[i] > last) last = columns.timeMs[i];
  return Math.floor(last / DAY_MS) * DAY_MS;
}

function inputInfo(opts: AnalyzeOptions, columns: TransactionColumns) {
  return {
    file: basename(opts.orders),
    format: opts.format,
    rowsRead: columns.rowsRead,
    transactions: columns.length,
    rejected: columns.rejects.length,
    firstRejects: columns.rejects
      .slice(0, 20)
      .map((r) => ({ line: r.line, column: r.column, reason: r.reason })),
  };
}

const CSV_HEADER = [
  'id',
  'frequency',
  'recency',
  'T',
  'monetary',
  'p_alive',
  'expected_purchases',
  'predicted_clv',
  'rfm_segment',
  'lifecycle_stage',
  'sleeping',
  'sleeping_reason',
];

/** One row per customer, written in chunks so a million rows stay cheap. */
async function writeCustomersCsv(
  path: string,
  columns: TransactionColumns,
  scores: StoreScores,
): Promise<void> {
  const c = scores.customers;
  const out = createWriteStream(path);
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      out.write(text, (error) => (error ? reject(error) : resolve()));
    });
  const round = (v: number, digits: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : '');
  await write(stringify([CSV_HEADER]));
  const chunk = 20_000;
  for (let start = 0; start < c.count; start += chunk) {
    const rows: Array<Array<string | number>> = [];
    for (let i = start; i < Math.min(c.count, start + chunk); i++) {
      rows.push([
        columns.customerIds[c.customerIndex[i]],
        c.frequency[i],
        round(c.recency[i], 4),
        round(c.age[i], 4),
        round(c.monetary[i], 2),
        round(c.pAlive[i], 6),
        round(c.expectedPurchases[i], 6),
        round(c.predictedClv[i], 2),
        RFM_SEGMENTS[c.segment[i]],
        LIFECYCLE_STAGES[c.stage[i]],
        c.sleeping[i] ? 'yes' : 'no',
        c.sleeping[i] ? c.describe(i) : '',
      ]);
    }
    await write(stringify(rows));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** The human report: aligned tables of metrics, models, holdout and segments. */
function formatReport(opts: AnalyzeOptions, columns: TransactionColumns, s: StoreScores): string {
  const locale = opts.locale === 'de' ? 'de-DE' : 'en-US';
  const num = (v: number | null | undefined, digits = 2) =>
    v === null || v === undefined || !Number.isFinite(v)
      ? '–'
      : v.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const int = (v: number) => num(v, 0);
  const pct = (v: number) => (Number.isFinite(v) ? `${num(100 * v, 1)} %` : '–');
  const sig = (v: number) => (Number.isFinite(v) ? v.toPrecision(5) : '–');
  const m = s.summary;
  const unitWord = m.timeUnit === 'week' ? 'weeks' : 'days';
  const lines: string[] = [];
  const section = (title: string) => lines.push('', title);
  lines.push(
    `Comeback analysis of ${basename(opts.orders)} (${opts.format}), as of ${m.asOf}, in ${m.currency}`,
    `${int(columns.rowsRead)} rows read, ${int(columns.length)} transactions used, ${int(columns.rejects.length)} rejected`,
  );
  section('Store');
  lines.push(
    ...table(
      [
        ['Customers', int(m.customers), ''],
        ['Orders', int(m.orders), ''],
        ['Revenue (net of refunds)', num(m.revenue), ''],
        ['AOV = revenue / orders', num(m.aov), ''],
        [
          'Purchase frequency f = orders / customers',
          num(m.purchaseFrequency),
          `${num(m.purchaseFrequencyPerYear)} a year`,
        ],
        ['Customer value = AOV × f', num(m.customerValue), `${num(m.customerValuePerYear)} a year`],
        [`Simple CLV = value a year × ${m.lifetimeYears} years`, num(m.simpleClv), ''],
        ['Net LTV (revenue − CAC − retention)', num(m.netLtv), m.netLtv === null ? 'no costs given' : ''],
        [
          'Repeat purchase rate',
          pct(m.repeatPurchaseRate),
          `${int(m.repeatCustomers)} bought on two days or more`,
        ],
        ['Revenue from repeat purchases', pct(m.repeatRevenueShare), ''],
        [
          'Monthly retention rate (average)',
          pct(m.averageMonthlyRetentionRate),
          'bought last month and again this month',
        ],
        [
          'Average purchase interval',
          `${num(s.intervals.store.meanDays, 1)} days`,
          `median gap ${num(s.intervals.store.medianDays, 0)} days`,
        ],
        [
          'Time to second purchase',
          `${num(s.intervals.timeToSecondPurchase.p50, 0)} days`,
          `median; 90 % within ${num(s.intervals.timeToSecondPurchase.p90, 0)} days`,
        ],
      ],
      ['l', 'r', 'l'],
    ),
  );
  lines.push(`  Verdict: ${m.verdict.verdict}. ${m.verdict.reason}`);

  section(
    `Models (fitted on purchases up to ${m.calibrationEnd ?? m.asOf}, time unit ${m.timeUnit}; ${int(s.models.bgnbd?.customers ?? 0)} customers)`,
  );
  const fitRow = (
    name: string,
    fit: { params: Record<string, number>; logLikelihood: number; converged: boolean } | null,
  ) =>
    fit
      ? [
          name,
          Object.entries(fit.params)
            .map(([k, v]) => `${k} ${sig(v)}`)
            .join('  '),
          `LL ${num(fit.logLikelihood, 3)}`,
          fit.converged ? '' : 'not converged',
        ]
      : [name, 'not fitted', '', ''];
  lines.push(
    ...table(
      [
        fitRow('BG/NBD', s.models.bgnbd),
        fitRow('Pareto/NBD', s.models.paretonbd),
        fitRow('Gamma-Gamma', s.models.gammaGamma),
      ],
      ['l', 'l', 'r', 'l'],
    ),
  );
  lines.push(
    `  Scoring with ${s.models.selected === 'bgnbd' ? 'BG/NBD' : 'Pareto/NBD'}: ${s.models.selectionReason}.`,
    `  Expected purchases and CLV over ${num(s.models.horizon, 0)} ${unitWord}, discounted ${pct(s.models.discountRate)} a month.`,
  );

  if (s.holdout) {
    const h = s.holdout;
    section(
      `Holdout: ${num(h.length, 1)} ${unitWord} after ${m.calibrationEnd}, mean purchases per customer`,
    );
    const models = Object.keys(h.errors);
    const label = (k: string) => (k === 'bgnbd' ? 'BG/NBD' : 'Pareto/NBD');
    lines.push(
      ...table(
        [
          ['x (calibration)', 'customers', 'actual', ...models.map(label)],
          ...h.rows.map((r) => [
            r.x,
            int(r.customers),
            num(r.actual, 3),
            ...models.map((k) => num(r.predicted[k], 3)),
          ]),
          [
            'total',
            int(h.customers),
            int(h.totalActual),
            ...models.map((k) => num(h.errors[k].totalPredicted, 0)),
          ],
          ['RMSE per customer', '', '', ...models.map((k) => num(h.errors[k].rmse, 4))],
          ['MAE per customer', '', '', ...models.map((k) => num(h.errors[k].mae, 4))],
        ],
        ['l', 'r', 'r', ...models.map(() => 'r' as const)],
      ),
    );
  }

  section('Segments');
  const rfm = Object.entries(s.segments.rfm);
  const stages = Object.entries(s.segments.lifecycle);
  const rows: string[][] = [['RFM segment', 'customers', '', 'Lifecycle stage', 'customers']];
  for (let i = 0; i < Math.max(rfm.length, stages.length); i++) {
    rows.push([
      rfm[i]?.[0] ?? '',
      rfm[i] ? int(rfm[i][1]) : '',
      '',
      stages[i]?.[0] ?? '',
      stages[i] ? int(stages[i][1]) : '',
    ]);
  }
  lines.push(...table(rows, ['l', 'r', 'l', 'l', 'r']));
  lines.push(
    `  Sleeping: ${int(s.segments.sleeping)} customers (no purchase for more than ${s.segments.sleepingFactor} typical intervals; one-time buyers past the 90th percentile of the time to a second purchase).`,
  );

  const months = s.retention.monthly.months.slice(-12);
  if (months.length > 0) {
    section('Monthly retention (last 12 months)');
    lines.push(
      ...table(
        [
          ['month', 'customers last month', 'bought again', 'rate'],
          ...months.map((r) => [r.month, int(r.previousCustomers), int(r.retained), pct(r.rate)]),
        ],
        ['l', 'r', 'r', 'r'],
      ),
    );
  }
  const cohorts = s.retention.cohorts.slice(-12);
  if (cohorts.length > 0) {
    section('Cohorts: share buying k months after the first order');
    const width = Math.min(12, Math.max(...cohorts.map((c) => c.rate.length)));
    lines.push(
      ...table(
        [
          ['cohort', 'size', ...Array.from({ length: width - 1 }, (_, k) => `+${k + 1}`)],
          ...cohorts.map((c) => [
            c.month,
            int(c.size),
            ...Array.from({ length: width - 1 }, (_, k) => (k + 1 < c.rate.length ? pct(c.rate[k + 1]) : '')),
          ]),
        ],
        ['l', 'r', ...Array.from({ length: width - 1 }, () => 'r' as const)],
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Rows of cells padded to aligned columns, indented by two spaces. */
function table(rows: string[][], align: Array<'l' | 'r'>): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, row[i].length);
  }
  return rows.map(
    (row) =>
      `  ${row
        .map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd()}`,
  );
}
