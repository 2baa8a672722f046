/**
 * The CDNOW layout (Fader, Hardie & Lee's data set, as distributed with lifetimes/BTYD):
 * whitespace-separated rows `customer_id YYYYMMDD number_of_cds dollar_value` (the master file,
 * with a header line) or `master_id sample_id YYYYMMDD number_of_cds dollar_value` (the 1/10
 * sample, no header), LF or CRLF. Each row is one transaction.
 *
 * Two readers: a columnar one for `comeback analyze` that scans bytes (no per-row strings or
 * objects; 2.4M rows in a few hundred milliseconds) and a streaming one for the importer that
 * yields one order per row in the API's input shape.
 */

import { FloatIndex } from '../../analytics/float-index.ts';
import { minorDigits, toMinorUnits } from '../../kernel/money.ts';
import { DAY_MS } from '../../kernel/time.ts';
import type { OrderInput } from '../schemas.ts';
import type { ParsedBatch, ParsedRecord, ParseOptions, RowRejection, TransactionColumns } from './types.ts';

/** Which id names the customer in the 5-column sample layout (the master id by default). */
export interface CdnowOptions extends ParseOptions {
  idColumn?: 'master' | 'sample';
}

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_REJECTS = 10_000;

function isDigit(b: number): boolean {
  return b >= ZERO && b <= NINE;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The day number of a YYYYMMDD integer, or null when it is not a real date. */
export function cdnowDay(yyyymmdd: number): number | null {
  const year = Math.floor(yyyymmdd / 10000);
  const month = Math.floor(yyyymmdd / 100) % 100;
  const day = yyyymmdd % 100;
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return day > days ? null : daysFromCivil(year, month, day);
}

/** Grows typed arrays by doubling. */
class Growable {
  customer: Int32Array;
  time: Float64Array;
  amount: Float64Array;
  length = 0;

  constructor(expected: number) {
    const n = Math.max(1024, expected);
    this.customer = new Int32Array(n);
    this.time = new Float64Array(n);
    this.amount = new Float64Array(n);
  }

  push(c: number, t: number, a: number): void {
    if (this.length === this.customer.length) {
      const n = this.length * 2;
      const c2 = new Int32Array(n);
      c2.set(this.customer);
      const t2 = new Float64Array(n);
      t2.set(this.time);
      const a2 = new Float64Array(n);
      a2.set(this.amount);
      this.customer = c2;
      this.time = t2;
      this.amount = a2;
    }
    this.customer[this.length] = c;
    this.time[this.length] = t;
    this.amount[this.length] = a;
    this.length++;
  }
}

/** A copy at least twice the size and at least `min` long. */
function grow(a: Int32Array, min: number): Int32Array {
  let n = a.length * 2;
  while (n < min) n *= 2;
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** Numeric ids below this go through a direct table (at most 64 MB); larger ones through a hash. */
const DIRECT_LIMIT = 1 << 24;

/** Bytes [s, e) as one flat string (ids are short; cheaper than a TextDecoder call each). */
function latin1(b: Uint8Array, s: number, e: number): string {
  const f = String.fromCharCode;
  switch (e - s) {
    case 1:
      return f(b[s]);
    case 2:
      return f(b[s], b[s + 1]);
    case 3:
      return f(b[s], b[s + 1], b[s + 2]);
    case 4:
      return f(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5:
      return f(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6:
      return f(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7:
      return f(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8:
      return f(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    default: {
      let out = '';
      for (let k = s; k < e; k++) out += f(b[k]);
      return out;
    }
  }
}

/** Day numbers of YYYYMMDD dates already seen, by (year − 1900)·372 + (month − 1)·31 + day − 1. */
const DATE_SLOTS = 1100 * 372;
const DAY_UNKNOWN = -0x7fffffff;
const DAY_INVALID = -0x7ffffffe;

/** Why a row's fields cannot be used (the slow path, for rejected rows and the streaming reader). */
function fieldProblem(
  fields: string[],
  columns: number,
  currency: string,
  decimalComma: boolean,
): { column: string | null; reason: string } | null {
  if (fields.length !== columns) {
    return {
      column: null,
      reason: `expected ${columns} whitespace-separated columns, found ${fields.length}`,
    };
  }
  const off = columns - 4;
  const dateText = fields[1 + off];
  if (!/^\d{8}$/.test(dateText) || cdnowDay(Number(dateText)) === null) {
    return { column: 'date', reason: `"${dateText}" is not a date in YYYYMMDD form` };
  }
  const cdsText = fields[2 + off];
  if (!/^\d+$/.test(cdsText))
    return { column: 'number_of_cds', reason: `"${cdsText}" is not a whole number` };
  const amountText = fields[3 + off];
  if (amountCents(amountText, currency, decimalComma) === null) {
    return { column: 'dollar_value', reason: `"${amountText}" is not an amount` };
  }
  return null;
}

/** A dollar_value field as minor units, or null when it is not a plain decimal number. */
function amountCents(text: string, currency: string, decimalComma: boolean): number | null {
  const plain = decimalComma ? text.replace(',', '.') : text;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(plain)) return null;
  return toMinorUnits(plain, currency, false);
}

const isBlank = (b: number) => b === SPACE || b === TAB;

/**
 * Reads a whole CDNOW file into transaction columns in one pass over its bytes: no per-row
 * strings or objects. Customer ids map to dense indexes (digit-only ids through a numeric key
 * that keeps leading zeros apart, others through their text; a run of rows of one customer
 * skips the lookup); dates and dollar amounts are parsed in place, amounts into minor units of
 * `options.defaultCurrency` (half away from zero beyond its digits; `decimalComma` reads
 * "11,77"). The 4- or 5-column layout is taken from the first data row. Rows that do not parse
 * are rejected with line, column and reason (the first 10,000 kept).
 * @example parseCdnowTransactions(readFileSync('CDNOW_master.txt'), { decimalComma: false, defaultCurrency: 'USD' })
 */
export function parseCdnowTransactions(buffer: Uint8Array, options: CdnowOptions): TransactionColumns {
  const currency = options.defaultCurrency.toUpperCase();
  const digits = minorDigits(currency);
  const scale = 10 ** digits;
  const decimalSep = options.decimalComma ? 0x2c : 0x2e;
  const useSample = options.idColumn === 'sample';
  const out = new Growable(Math.ceil(buffer.length / 24));
  // numeric id → customer index + 1 (0: not yet): a direct table for small ids, else a hash
  let direct: Int32Array = new Int32Array(1024);
  const numericIds = new FloatIndex(1024);
  let numericToCustomer: Int32Array = new Int32Array(1024);
  const textIds = new Map<string, number>();
  const customerIds: string[] = [];
  const rejects: RowRejection[] = [];
  const decoder = new TextDecoder('latin1');
  const n = buffer.length;
  let columns = 0; // 4 or 5, fixed by the first data row
  let rowsRead = 0;
  let line = 0;
  let pos = 0;
  let lastIdKey = -1;
  let lastIdIndex = -1;
  let lastDate = -1;
  let lastDay = 0;
  const dayCache = new Int32Array(DATE_SLOTS).fill(DAY_UNKNOWN);
  while (pos < n) {
    line++;
    const lineStart = pos;
    let eol = buffer.indexOf(LF, pos);
    if (eol < 0) eol = n;
    pos = eol + 1;
    let end = eol;
    if (end > lineStart && buffer[end - 1] === CR) end--;
    let i = lineStart;
    while (i < end && isBlank(buffer[i])) i++;
    if (i === end) continue; // blank line
    if (columns === 0) {
      if (!isDigit(buffer[i])) continue; // the master file's header line
      columns =
        decoder
          .decode(buffer.subarray(i, end))
          .trim()
          .split(/[ \t]+/).length === 5
          ? 5
          : 4;
    }
    rowsRead++;
    let ok = true;
    // customer id (the sample id instead when asked, in the 5-column layout)
    let idStart = i;
    let key = 0;
    let numeric = true;
    while (i < end && !isBlank(buffer[i])) {
      const b = buffer[i];
      if (isDigit(b)) key = key * 10 + (b - ZERO);
      else numeric = false;
      i++;
    }
    let idEnd = i;
    if (columns === 5) {
      while (i < end && isBlank(buffer[i])) i++;
      const s2 = i;
      let key2 = 0;
      let numeric2 = true;
      while (i < end && !isBlank(buffer[i])) {
        const b = buffer[i];
        if (isDigit(b)) key2 = key2 * 10 + (b - ZERO);
        else numeric2 = false;
        i++;
      }
      if (i === s2) ok = false;
      if (useSample) {
        idStart = s2;
        idEnd = i;
        key = key2;
        numeric = numeric2;
      }
    }
    // date YYYYMMDD
    while (i < end && isBlank(buffer[i])) i++;
    const ds = i;
    let date = 0;
    while (i < end && isDigit(buffer[i])) date = date * 10 + (buffer[i++] - ZERO);
    if (i - ds !== 8 || (i < end && !isBlank(buffer[i]))) ok = false;
    // number of CDs: a whole number (checked, not stored)
    while (i < end && isBlank(buffer[i])) i++;
    const cs = i;
    while (i < end && isDigit(buffer[i])) i++;
    if (i === cs || (i < end && !isBlank(buffer[i]))) ok = false;
    // dollar value → minor units
    while (i < end && isBlank(buffer[i])) i++;
    const as = i;
    while (i < end && !isBlank(buffer[i])) i++;
    const amount = ok ? parseAmount(buffer, as, i, digits, scale, decimalSep) : null;
    while (i < end && isBlank(buffer[i])) i++;
    let day = lastDay;
    if (ok && amount !== null && i === end && date !== lastDate) {
      const slot =
        (Math.floor(date / 10000) - 1900) * 372 +
        ((Math.floor(date / 100) % 100) - 1) * 31 +
        (date % 100) -
        1;
      let d: number | null = slot >= 0 && slot < DATE_SLOTS ? dayCache[slot] : DAY_UNKNOWN;
      if (d === DAY_UNKNOWN) {
        d = cdnowDay(date);
        if (slot >= 0 && slot < DATE_SLOTS) dayCache[slot] = d === null ? DAY_INVALID : d;
      } else if (d === DAY_INVALID) d = null;
      if (d === null) ok = false;
      else {
        day = d;
        lastDay = d;
        lastDate = date;
      }
    }
    if (!ok || amount === null || i !== end) {
      if (rejects.length < MAX_REJECTS) {
        const fields = decoder
          .decode(buffer.subarray(lineStart, end))
          .trim()
          .split(/[ \t]+/);
        const problem = fieldProblem(fields, columns, currency, options.decimalComma) ?? {
          column: null,
          reason: 'not a CDNOW row',
        };
        rejects.push({ line, column: problem.column, reason: problem.reason, raw: fields });
      }
      continue;
    }
    // customer index (registered only for rows that parse)
    let customer: number;
    const idLength = idEnd - idStart;
    if (numeric && idLength <= 14) {
      const k = key * 16 + idLength; // the length keeps "007" and "7" apart
      if (k === lastIdKey) customer = lastIdIndex;
      else {
        // small ids (the usual 1…N) through a direct table, checked against the id's length
        let c = -1;
        if (key < DIRECT_LIMIT) {
          if (key >= direct.length) direct = grow(direct, key + 1);
          c = direct[key] - 1;
          if (c < 0) {
            c = customerIds.length;
            direct[key] = c + 1;
            customerIds.push(latin1(buffer, idStart, idEnd));
          } else if (customerIds[c].length !== idLength) c = -1;
        }
        if (c < 0) {
          const slot = numericIds.indexOf(k);
          if (slot >= numericToCustomer.length) numericToCustomer = grow(numericToCustomer, slot + 1);
          if (numericToCustomer[slot] === 0) {
            numericToCustomer[slot] = customerIds.length + 1;
            customerIds.push(latin1(buffer, idStart, idEnd));
          }
          c = numericToCustomer[slot] - 1;
        }
        customer = c;
        lastIdKey = k;
        lastIdIndex = c;
      }
    } else {
      const text = decoder.decode(buffer.subarray(idStart, idEnd));
      let c = textIds.get(text);
      if (c === undefined) {
        c = customerIds.length;
        textIds.set(text, c);
        customerIds.push(text);
      }
      customer = c;
      lastIdKey = -1;
    }
    out.push(customer, day * DAY_MS, amount);
  }
  return {
    customerIds,
    customerIndex: out.customer.subarray(0, out.length),
    timeMs: out.time.subarray(0, out.length),
    amountMinor: out.amount.subarray(0, out.length),
    length: out.length,
    currency,
    rowsRead,
    rejects,
  };
}

/** Parses [−]digits[.digits] into minor units, rounding half away from zero; null if malformed. */
function parseAmount(
  buf: Uint8Array,
  s: number,
  e: number,
  digits: number,
  scale: number,
  sep: number,
): number | null {
  let i = s;
  let negative = false;
  if (i < e && (buf[i] === 0x2d || buf[i] === 0x2b)) {
    negative = buf[i] === 0x2d;
    i++;
  }
  let whole = 0;
  let seen = false;
  while (i < e && isDigit(buf[i])) {
    whole = whole * 10 + (buf[i] - ZERO);
    i++;
    seen = true;
  }
  let frac = 0;
  let fracDigits = 0;
  let roundUp = false;
  if (i < e && buf[i] === sep) {
    i++;
    while (i < e && isDigit(buf[i])) {
      if (fracDigits < digits) {
        frac = frac * 10 + (buf[i] - ZERO);
        fracDigits++;
      } else if (fracDigits === digits) {
        roundUp = buf[i] - ZERO >= 5;
        fracDigits++;
      }
      i++;
      seen = true;
    }
  }
  if (i !== e || !seen) return null;
  for (let k = Math.min(fracDigits, digits); k < digits; k++) frac *= 10;
  const minor = whole * scale + frac + (roundUp ? 1 : 0);
  if (!Number.isSafeInteger(minor)) return null;
  return negative ? -minor : minor;
}

/** The input of the streaming reader: a Node stream or any (async) iterable of file chunks. */
export type CdnowInput =
  | NodeJS.ReadableStream
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/**
 * Streams a CDNOW file as orders for the importer, `batchSize` records per batch. Each row is one
 * order: external_id `${customer}-${YYYYMMDD}-${n}` where n = 1, 2, … counts the rows of that
 * customer and day in file order (stable on re-import), placed at 00:00Z that day, in
 * `options.defaultCurrency`, with one line "CDs" whose quantity × unit price equals the amount
 * when it divides evenly (quantity 1 with the whole amount otherwise, and when the row has 0 CDs),
 * and total_minor = the amount. Input chunks may split lines anywhere; CRLF is accepted.
 * Memory: one counter per (customer, day) seen, for the n above.
 * @example for await (const batch of parseCdnowRecords(createReadStream(path), options)) …
 */
export async function* parseCdnowRecords(
  input: CdnowInput,
  options: CdnowOptions,
  batchSize = 500,
): AsyncGenerator<ParsedBatch> {
  const currency = options.defaultCurrency.toUpperCase();
  const useSample = options.idColumn === 'sample';
  const perDay = new Map<string, number>();
  const decoder = new TextDecoder('utf-8');
  let records: ParsedRecord[] = [];
  let rejects: RowRejection[] = [];
  let columns = 0;
  let line = 0;
  let rowsRead = 0;
  let bytesRead = 0;
  let carry = '';
  const take = (): ParsedBatch => {
    const batch: ParsedBatch = { records, rejects, rowsRead, guestOrders: 0, bytesRead };
    records = [];
    rejects = [];
    return batch;
  };
  const handle = (raw: string): void => {
    line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const fields = text.trim() === '' ? [] : text.trim().split(/[ \t]+/);
    if (fields.length === 0) return;
    if (columns === 0) {
      if (!/^\d/.test(fields[0])) return; // header
      columns = fields.length === 5 ? 5 : 4;
    }
    rowsRead++;
    const problem = fieldProblem(fields, columns, currency, options.decimalComma);
    if (problem) {
      rejects.push({ line, column: problem.column, reason: problem.reason, raw: fields });
      return;
    }
    const off = columns - 4;
    const customerId = useSample && columns === 5 ? fields[1] : fields[0];
    const dateText = fields[1 + off];
    const cdsText = fields[2 + off];
    const amountText = fields[3 + off];
    const cents = amountCents(amountText, currency, options.decimalComma) ?? 0;
    if (cents < 0) {
      const reason = `"${amountText}" is negative; CDNOW rows are purchases`;
      rejects.push({ line, column: 'dollar_value', reason, raw: fields });
      return;
    }
    const key = `${customerId} ${dateText}`;
    const nth = (perDay.get(key) ?? 0) + 1;
    perDay.set(key, nth);
    const cds = Number(cdsText);
    const even = cds > 0 && cents % cds === 0;
    const order: OrderInput = {
      external_id: `${customerId}-${dateText}-${nth}`,
      customer: { external_id: customerId },
      placed_at: `${dateText.slice(0, 4)}-${dateText.slice(4, 6)}-${dateText.slice(6, 8)}T00:00:00Z`,
      currency,
      lines: [{ title: 'CDs', quantity: even ? cds : 1, unit_price_minor: even ? cents / cds : cents }],
      total_minor: cents,
    };
    records.push({ type: 'order', line, value: order });
  };
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
      bytesRead += utf8Length(chunk);
    } else {
      text = decoder.decode(chunk, { stream: true });
      bytesRead += chunk.length;
    }
    const parts = (carry + text).split('\n');
    carry = parts.pop() ?? '';
    for (const part of parts) {
      handle(part);
      if (records.length >= batchSize || rejects.length >= batchSize) yield take();
    }
  }
  carry += decoder.decode();
  if (carry !== '') handle(carry);
  yield take();
}

function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
