import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { z } from 'zod';
import type { CustomerInput } from '../../customers/schemas.ts';
import { ComebackError } from '../../kernel/errors.ts';
import type { ProductInput } from '../schemas.ts';
import type { FileFormat, ParsedRecord, RowRejection } from './types.ts';
import { countryOf, type Parsed } from './values.ts';

/** What the parsers read: a file stream, an HTTP body, or chunks in a test. */
export type CsvInput = NodeJS.ReadableStream | AsyncIterable<Buffer | string>;

/** A data row with the physical 1-based line it starts on (the header is line 1). */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** A stretch of the file csv-parse could not read as a record (an unclosed quote, a huge field). */
export interface CsvMalformed {
  line: number;
  reason: string;
}

/** Progress counters, updated as rows are read (the batcher reports them). */
export interface CsvStats {
  rowsRead: number;
  bytesRead: number;
}

export interface CsvFile {
  header: Header;
  delimiter: string;
  rows: AsyncIterable<CsvRow | CsvMalformed>;
  stats: CsvStats;
  /** Stops reading and releases the input; safe to call more than once. */
  close(): Promise<void>;
}

/** What a format parser yields; the batcher packs these into ParsedBatch. */
export type ParseItem =
  | { kind: 'record'; record: ParsedRecord; guest: boolean }
  | { kind: 'reject'; rejection: RowRejection };

/** A record longer than this is a runaway quote, not data; it keeps memory bounded. */
const MAX_RECORD_BYTES = 1 << 20;
/** How much of the file is looked at to find the header line's delimiter. */
const HEADER_PEEK_BYTES = 64 * 1024;

/** Column names compare without case, spaces, `_`, `-` or `.`: "Customer ID" = "customer_id" = "CustomerID". */
export function normalizeColumnName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.]+/g, '');
}

/** A column found in the header: where it is and how the file spells it (for rejections). */
export interface Column {
  index: number;
  name: string;
}

/** The header row, with case- and space-insensitive lookup. */
export class Header {
  readonly names: string[];
  private readonly byKey = new Map<string, number>();

  constructor(names: string[]) {
    this.names = names.map((n) => n.trim());
    this.names.forEach((n, i) => {
      const key = normalizeColumnName(n);
      if (key !== '' && !this.byKey.has(key)) this.byKey.set(key, i);
    });
  }

  /** The first of `aliases` the file has, or null. */
  column(...aliases: string[]): Column | null {
    for (const alias of aliases) {
      const index = this.byKey.get(normalizeColumnName(alias));
      if (index !== undefined) return { index, name: this.names[index] };
    }
    return null;
  }

  /** The row as `{ column name: value }`, for the .rejects.csv. */
  raw(row: CsvRow): Record<string, string> {
    const out: Record<string, string> = {};
    this.names.forEach((n, i) => {
      out[n || `column ${i + 1}`] = row.fields[i] ?? '';
    });
    return out;
  }
}

/** The trimmed value of `column` in `row`; '' when the file has no such column or the row is short. */
export function cell(row: CsvRow, column: Column | null): string {
  return column ? (row.fields[column.index] ?? '').trim() : '';
}

/** The first non-empty value of `column` among `rows` (order-level fields may sit on any row). */
export function firstCell(rows: readonly CsvRow[], column: Column | null): { value: string; row: CsvRow } {
  for (const row of rows) {
    const value = cell(row, column);
    if (value !== '') return { value, row };
  }
  return { value: '', row: rows[0] };
}

/** The header line's delimiter among `,` `;` and tab: the one occurring most outside quotes (`,` on a tie). */
export function detectDelimiter(headerLine: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch]++;
  }
  let best = ',';
  for (const d of [';', '\t']) if (counts[d] > counts[best]) best = d;
  return best;
}

function toAsyncIterable(input: CsvInput): AsyncIterable<Buffer | string> {
  return input as AsyncIterable<Buffer | string>;
}

/** Line breaks inside a record's fields (CRLF, LF or CR each count one). */
function lineBreaks(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    if (f.indexOf('\n') < 0 && f.indexOf('\r') < 0) continue;
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c === 10) n++;
      else if (c === 13) {
        n++;
        if (f.charCodeAt(i + 1) === 10) i++;
      }
    }
  }
  return n;
}

function isBlank(fields: readonly string[]): boolean {
  return fields.every((f) => f.trim() === '');
}

interface Skip {
  afterRecords: number;
  code: string;
  message: string;
}

/**
 * Opens a CSV stream: strips a BOM, detects the delimiter from the header line unless given, reads
 * CRLF or LF, quoted newlines and stray quotes, and yields data rows with the physical line each
 * starts on. Records csv-parse cannot read come back as CsvMalformed; blank rows are skipped.
 * Memory stays bounded: the input is pulled as rows are consumed.
 */
export async function openCsv(input: CsvInput, delimiter?: string): Promise<CsvFile> {
  const source = toAsyncIterable(input)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < HEADER_PEEK_BYTES) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    headBytes += chunk.length;
    if (chunk.includes(10) || chunk.includes(13)) break;
  }
  const headText = Buffer.concat(head)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const sep = delimiter ?? detectDelimiter(headText);

  const skips: Skip[] = [];
  // Line numbers are counted here, not taken from csv-parse's `info` (a snapshot per record costs a
  // third of the parse, and it counts a CRLF inside quotes as two lines): every record, blank ones
  // included, starts on the line after the previous one and spans the line breaks in its fields.
  const parser = parse({
    bom: true,
    delimiter: sep,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_skip: (err) => {
      if (err) skips.push({ afterRecords: parser.info.records, code: err.code, message: err.message });
      return undefined;
    },
  });
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      while (!ended) {
        const next = await source.next();
        if (next.done) return;
        yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
    } finally {
      await source.return?.();
    }
  }
  // Errors of the source reach the consumer through the parser, which pipeline destroys with them.
  pipeline(Readable.from(replay(), { objectMode: false }), parser, () => {});

  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const stats: CsvStats = { rowsRead: 0, bytesRead: 0 };
  let consumed = 0;
  let nextLine = 1;
  let headerFields: string[] | null = null;
  while (headerFields === null) {
    const next = await records.next();
    if (next.done) {
      await records.return?.();
      throw new ComebackError('IMPORT_FAILED', 'the file is empty: it has no header line');
    }
    consumed++;
    nextLine += 1 + lineBreaks(next.value);
    if (!isBlank(next.value)) headerFields = next.value;
  }
  const header = new Header(headerFields);
  stats.bytesRead = parser.info.bytes;

  async function* rows(): AsyncGenerator<CsvRow | CsvMalformed> {
    const flushSkips = function* (beforeRecord: number): Generator<CsvMalformed> {
      while (skips.length > 0 && skips[0].afterRecords < beforeRecord) {
        const s = skips.shift()!;
        const reason =
          s.code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quote opened here is never closed: the rest of the file could not be read'
            : s.code === 'CSV_MAX_RECORD_SIZE'
              ? 'a field is longer than 1 MiB (a quote opened here is probably never closed)'
              : s.message;
        // The lines a skipped record spanned are unknown; later line numbers may be off after one.
        yield { line: nextLine++, reason };
      }
    };
    try {
      for (;;) {
        const next = await records.next();
        if (next.done) break;
        const fields = next.value;
        consumed++;
        yield* flushSkips(consumed);
        const line = nextLine;
        nextLine += 1 + lineBreaks(fields);
        stats.bytesRead = parser.info.bytes;
        if (isBlank(fields)) continue;
        stats.rowsRead++;
        yield { line, fields };
      }
      yield* flushSkips(Number.POSITIVE_INFINITY);
      stats.bytesRead = parser.info.bytes;
    } finally {
      await records.return?.();
    }
  }
  return {
    header,
    delimiter: sep,
    rows: rows(),
    stats,
    close: async () => {
      await records.return?.();
    },
  };
}

/** Formats whose headers look like this; used to suggest `--format` when columns are missing. */
export function guessFormat(header: Header): FileFormat | null {
  if (header.column('Lineitem quantity') && header.column('Financial Status')) return 'shopify';
  if (header.column('StockCode') && (header.column('Invoice') || header.column('InvoiceNo')))
    return 'online-retail';
  if (header.column('order_id') && header.column('placed_at')) return 'generic';
  return null;
}

/** Finds each required column (any of its aliases) or fails the import, naming what is missing. */
export function requireColumns<K extends string>(
  header: Header,
  format: FileFormat,
  required: Record<K, readonly string[]>,
): Record<K, Column> {
  const found = {} as Record<K, Column>;
  const missing: string[] = [];
  for (const key of Object.keys(required) as K[]) {
    const col = header.column(...required[key]);
    if (col) found[key] = col;
    else missing.push(required[key][0]);
  }
  if (missing.length > 0) {
    const guess = guessFormat(header);
    const hint = guess && guess !== format ? ` This looks like a ${guess} file: try --format ${guess}.` : '';
    throw new ComebackError(
      'IMPORT_FAILED',
      `the file is missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for the ${format} format.${hint}`,
      missing.map((m) => ({ path: 'line 1', message: `missing column ${m}` })),
    );
  }
  return found;
}

export function isMalformed(row: CsvRow | CsvMalformed): row is CsvMalformed {
  return !('fields' in row);
}

/** An order's rows, in file order. */
export interface RowGroup {
  key: string;
  rows: CsvRow[];
}

/** Whether two rows are identical, field by field (cheaper than a joined fingerprint: rows differ early). */
function sameFields(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface GroupOptions {
  /** Orders kept open at once: rows of an order may be interleaved with up to this many others. */
  window: number;
  /** Rows one order may have; more are rejected (the schema allows 1,000 lines). */
  maxRows: number;
  /** What the key column is called, for rejections. */
  keyColumn: Column;
  /** The key of a row; '' when it has none. */
  keyOf: (row: CsvRow) => string;
  header: Header;
}

/**
 * Groups consecutive rows of one order (within a small window of open orders) and rejects what cannot
 * belong to one: rows without an order id, an exact repeat of a row of the same order (kept once), and
 * rows of an order already closed earlier in the file (importing them would replace its lines).
 * Remembers closed order ids (a Map of strings: fine to a few million orders).
 */
export async function* groupRows(
  rows: AsyncIterable<CsvRow | CsvMalformed>,
  opts: GroupOptions,
): AsyncGenerator<RowGroup | RowRejection> {
  const open = new Map<string, RowGroup>();
  const closed = new Map<string, number>();
  const reject = (
    row: CsvRow,
    reason: string,
    column: string | null = opts.keyColumn.name,
  ): RowRejection => ({
    line: row.line,
    column,
    reason,
    raw: opts.header.raw(row),
  });
  for await (const row of rows) {
    if (isMalformed(row)) {
      yield { line: row.line, column: null, reason: row.reason, raw: null };
      continue;
    }
    const key = opts.keyOf(row);
    if (key === '') {
      yield reject(row, `${opts.keyColumn.name} is empty`);
      continue;
    }
    const current = open.get(key);
    if (current) {
      const first = current.rows.find((r) => sameFields(r.fields, row.fields));
      if (first) {
        yield reject(row, `duplicate of line ${first.line} (identical row in order ${key}); kept once`, null);
      } else if (current.rows.length >= opts.maxRows) {
        yield reject(row, `order ${key} has more than ${opts.maxRows} rows`);
      } else {
        current.rows.push(row);
      }
      continue;
    }
    const firstLine = closed.get(key);
    if (firstLine !== undefined) {
      yield reject(
        row,
        `order ${key} was already read from line ${firstLine}; an order's rows must be together in the file`,
      );
      continue;
    }
    open.set(key, { key, rows: [row] });
    if (open.size > opts.window) {
      const [oldestKey, oldest] = open.entries().next().value!;
      open.delete(oldestKey);
      closed.set(oldestKey, oldest.rows[0].line);
      yield oldest;
    }
  }
  for (const [key, group] of open) {
    closed.set(key, group.rows[0].line);
    yield group;
  }
}

/** Where a schema path came from: the source line and the file's column name. */
/** Orders a file may interleave (rows of one order may be up to this many orders apart). */
export const ORDER_WINDOW = 64;
/**
 * Rows of one order kept in memory. The schema allows 1,000 lines and rejects a longer order whole;
 * rows beyond this cap are rejected without being kept, so a runaway order id cannot fill memory.
 */
export const MAX_ORDER_ROWS = 2000;

/** A format's columns in this file: the required ones (the import fails without them) and the rest, if present. */
export function formatColumns<T extends Record<string, readonly string[]>, K extends keyof T & string>(
  header: Header,
  format: FileFormat,
  spec: T,
  required: readonly K[],
): Columns<T> & Record<K, Column> {
  const wanted = Object.fromEntries(required.map((k) => [k, spec[k]])) as unknown as Record<
    K,
    readonly string[]
  >;
  return { ...findColumns(header, spec), ...requireColumns(header, format, wanted) };
}

/**
 * The records of a file whose rows come in groups (an order's lines, an invoice's lines) keyed by one
 * column: each whole group becomes records; a group that cannot be formed becomes a rejection.
 */
export async function* parseRowGroups(
  csv: CsvFile,
  keyColumn: Column,
  toRecords: (group: RowGroup) => Iterable<ParseItem>,
): AsyncGenerator<ParseItem> {
  const groups = groupRows(csv.rows, {
    window: ORDER_WINDOW,
    maxRows: MAX_ORDER_ROWS,
    keyColumn,
    keyOf: (row) => cell(row, keyColumn),
    header: csv.header,
  });
  for await (const group of groups) {
    if ('line' in group) yield { kind: 'reject', rejection: group };
    else yield* toRecords(group);
  }
}

export type Locate = (path: readonly PropertyKey[]) => { line: number; column: string | null };

/**
 * Validates `value` against `schema`; a failure becomes one RowRejection per issue, located by `locate`
 * (schema path → source line and column). On success the parsed (normalised) value is returned.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  locate: Locate,
  raw: (line: number) => Record<string, string> | null,
): { ok: true; value: z.output<S> } | { ok: false; rejections: (RowRejection & { path: string })[] } {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    rejections: result.error.issues.map((issue) => {
      const { line, column } = locate(issue.path);
      const empty = issue.code === 'invalid_type' && (issue.input === null || issue.input === undefined);
      const tooMany = issue.code === 'too_big' && Array.isArray(issue.input);
      const message = empty
        ? 'is empty but required'
        : tooMany
          ? `has ${(issue.input as unknown[]).length} entries; at most ${issue.maximum} are allowed`
          : issue.message;
      const where = issue.path.filter((p) => typeof p !== 'number').join('.');
      return { line, column, reason: column ? message : `${where}: ${message}`, raw: raw(line), path: where };
    }),
  };
}

/**
 * The rejections for an order not imported: its own errors, and for every other row of it a pointer
 * to the first error, so each row of the file is accounted for.
 */
export function rejectGroup(
  header: Header,
  group: RowGroup,
  errors: RowRejection[],
  what = `order ${group.key}`,
): RowRejection[] {
  const withError = new Set(errors.map((e) => e.line));
  const firstLine = Math.min(...errors.map((e) => e.line));
  const others = group.rows
    .filter((r) => !withError.has(r.line))
    .map((r) => ({
      line: r.line,
      column: null,
      reason: `${what} not imported because of the error on line ${firstLine}`,
      raw: header.raw(r),
    }));
  return [...errors, ...others].sort((a, b) => a.line - b.line);
}

/** Turns a cell parse failure into a rejection of `row` at `column`. */
export function cellRejection(header: Header, row: CsvRow, column: Column, reason: string): RowRejection {
  return { line: row.line, column: column.name, reason, raw: header.raw(row) };
}

/**
 * A record being assembled from rows: reads cells through the value parsers, collects cell errors,
 * remembers which line and column each schema path came from, and validates the result so that zod
 * issues come back as rejections pointing at the file (line 7, column "Lineitem quantity").
 */
export class RecordDraft {
  readonly errors: RowRejection[] = [];
  private readonly sources = new Map<string, { line: number; column: string }>();
  private readonly rowsByLine = new Map<number, CsvRow>();
  private readonly lineRows: number[] = [];
  private readonly failedPaths = new Set<string>();

  constructor(
    private readonly header: Header,
    private readonly firstRow: CsvRow,
  ) {
    this.rowsByLine.set(firstRow.line, firstRow);
  }

  /** Parses `column` of `row`; an empty cell is null, a bad one is recorded as an error and read as null. */
  read<T>(path: string, row: CsvRow, column: Column | null, parse: (text: string) => Parsed<T>): T | null {
    if (!column) return null;
    this.rowsByLine.set(row.line, row);
    if (!this.sources.has(path) || !path.startsWith('lines.'))
      this.sources.set(path, { line: row.line, column: column.name });
    const text = cell(row, column);
    if (text === '') return null;
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    // A bad cell spoils its field; per-line fields are told apart by line instead.
    this.fail(row, column, parsed.reason, path.startsWith('lines.') ? undefined : path);
    return null;
  }

  /** `read` on the first of `rows` where the column is filled (order-level fields). */
  readFirst<T>(
    path: string,
    rows: readonly CsvRow[],
    column: Column | null,
    parse: (text: string) => Parsed<T>,
  ): T | null {
    return this.read(path, firstCell(rows, column).row, column, parse);
  }

  /** The cell as text, or null when empty. */
  text(path: string, row: CsvRow, column: Column | null): string | null {
    return this.read(path, row, column, (t) => ({ ok: true, value: t }));
  }

  textFirst(path: string, rows: readonly CsvRow[], column: Column | null): string | null {
    return this.text(path, firstCell(rows, column).row, column);
  }

  /** Notes that `path` came from `column` (for values assembled rather than read, such as the customer id). */
  source(path: string, row: CsvRow, column: Column | null): void {
    if (column) this.sources.set(path, { line: row.line, column: column.name });
  }

  /** Records an error of `row` at `column`; `path` marks the schema field it spoils (no second report). */
  fail(row: CsvRow, column: Column | null, reason: string, path?: string): void {
    this.rowsByLine.set(row.line, row);
    if (path) this.failedPaths.add(path);
    this.errors.push({ line: row.line, column: column?.name ?? null, reason, raw: this.header.raw(row) });
  }

  /** Registers `row` as the source of the next entry of the record's `lines` array. */
  addLine(row: CsvRow): void {
    this.rowsByLine.set(row.line, row);
    this.lineRows.push(row.line);
  }

  /** The source line and column of a schema path (`lines.3.quantity` → that line's row). */
  readonly locate: Locate = (path) => {
    const keys = path.filter((p): p is string => typeof p === 'string');
    const index = path.find((p): p is number => typeof p === 'number');
    const line = keys[0] === 'lines' && index !== undefined ? this.lineRows[index] : undefined;
    for (let n = keys.length; n > 0; n--) {
      const src = this.sources.get(keys.slice(0, n).join('.'));
      if (src) return { line: line ?? src.line, column: src.column };
    }
    return { line: line ?? this.firstRow.line, column: null };
  };

  /**
   * Validates the assembled value. With cell errors it fails with those plus the schema's issues on
   * other cells, so one pass over the file shows every problem of a record.
   */
  validate<S extends z.ZodType>(
    schema: S,
    value: unknown,
  ): { ok: true; value: z.output<S> } | { ok: false; rejections: RowRejection[] } {
    const result = validate(schema, value, this.locate, (line) => {
      const row = this.rowsByLine.get(line);
      return row ? this.header.raw(row) : null;
    });
    const strip = (rs: (RowRejection & { path: string })[]) => rs.map(({ path: _, ...r }) => r);
    if (this.errors.length === 0)
      return result.ok ? result : { ok: false, rejections: strip(result.rejections) };
    // Drop issues that only echo a cell error (a bad cell was read as null, a bad row left no lines).
    const lines = new Set(this.errors.map((e) => e.line));
    const cells = new Set(this.errors.map((e) => `${e.line}:${e.column}`));
    const echo = (r: RowRejection & { path: string }) =>
      this.failedPaths.has(r.path) ||
      cells.has(`${r.line}:${r.column}`) ||
      (r.column === null && lines.has(r.line));
    const more = result.ok ? [] : result.rejections.filter((r) => !echo(r));
    return { ok: false, rejections: [...this.errors, ...strip(more)] };
  }
}

/** Columns found for a spec of `field: aliases`; null where the file has none. */
export type Columns<T extends Record<string, readonly string[]>> = { [K in keyof T]: Column | null };

export function findColumns<T extends Record<string, readonly string[]>>(
  header: Header,
  spec: T,
): Columns<T> {
  const out = {} as Columns<T>;
  for (const key of Object.keys(spec) as (keyof T)[]) out[key] = header.column(...spec[key]);
  return out;
}

/** A postal address's columns in a file. */
export interface AddressColumns {
  line1: Column | null;
  line2: Column | null;
  /** Line 1 and line 2 in one (Shopify's Street): read when line 1 is empty. */
  street?: Column | null;
  zip: Column | null;
  city: Column | null;
  region: Column | null;
  country: Column | null;
}

/**
 * The postal address in the first of `rows` that has a street, its country's name read as its
 * code (`countryOf`): undefined when none has one.
 */
export function readAddress(draft: RecordDraft, rows: readonly CsvRow[], c: AddressColumns) {
  const has = (r: CsvRow, col: Column | null | undefined) => !!col && cell(r, col) !== '';
  const row = rows.find((r) => has(r, c.line1) || has(r, c.street));
  if (row === undefined) return undefined;
  const split = has(row, c.line1);
  return {
    line1: draft.text('address.line1', row, split ? c.line1 : (c.street ?? null)) as string,
    line2: split ? draft.text('address.line2', row, c.line2) : null,
    postal_code: draft.text('address.postal_code', row, c.zip),
    city: draft.text('address.city', row, c.city),
    region: draft.text('address.region', row, c.region),
    country: countryOf(draft.text('address.country', row, c.country)),
  };
}

/**
 * A postal address's columns count only beside a street column: without one there is no address,
 * and a city or country column stays in the attributes.
 */
export function addressOnlyWithStreet<C extends Record<string, Column | null>>(
  cols: C,
  street: keyof C,
  parts: readonly (keyof C)[],
): C {
  return cols[street] ? cols : { ...cols, ...Object.fromEntries(parts.map((k) => [k, null])) };
}

/** Columns a file has that no field uses: they go to `attributes` as written. */
export function extraColumns(header: Header, used: readonly (Column | null)[]): Column[] {
  const usedIdx = new Set(used.filter((c): c is Column => c !== null).map((c) => c.index));
  return header.names
    .map((name, index) => ({ name, index }))
    .filter((c) => c.name !== '' && !usedIdx.has(c.index));
}

export function attributesOf(row: CsvRow, extras: readonly Column[]): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const c of extras) {
    const v = cell(row, c);
    if (v !== '') out[c.name] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** Validates a one-row record (customer, product) and yields it, or its rejections. */
export function* finishRecord(
  draft: RecordDraft,
  schema: typeof CustomerInput | typeof ProductInput,
  value: unknown,
  type: 'customer' | 'product',
  row: CsvRow,
): Generator<ParseItem> {
  const valid = draft.validate(schema, value);
  if (!valid.ok) {
    for (const r of valid.rejections) yield { kind: 'reject', rejection: r };
    return;
  }
  const record =
    type === 'customer'
      ? { type, line: row.line, value: valid.value as CustomerInput }
      : { type, line: row.line, value: valid.value as ProductInput };
  yield { kind: 'record', record, guest: false };
}
