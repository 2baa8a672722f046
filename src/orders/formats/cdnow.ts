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

/** The day number of a YYYYMMDD integer, or null when it is not a real date. */
export function cdnowDay(yyyymmdd: number): number | null {
  const year = Math.floor(yyyymmdd / 10000);
  const month = Math.floor(yyyymmdd / 100) % 100;
  const day = yyyymmdd % 100;
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day > days ? null : daysFromCivil(year, month, day);
}

/** Grows typed arrays by doubling. */
class Growable {
  customer = new Int32Array(1024);
  time = new Float64Array(1024);
  amount = new Float64Array(1024);
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

/**
 * Reads a whole CDNOW file into transaction columns by scanning its bytes: customer ids map to
 * dense indexes (digit-only ids through a numeric key that keeps leading zeros apart, others
 * through their text), dates and dollar amounts are parsed in place. Amounts become minor units
 * of `options.defaultCurrency` (half away from zero beyond its digits; `decimalComma` reads
 * "11,77"). Rows that do not parse are rejected with line, column and reason; the 4- or 5-column
 * layout is taken from the first data row.
 * @example parseCdnowTransactions(readFileSync('CDNOW_master.txt'), { decimalComma: false, defaultCurrency: 'USD' })
 */
export function parseCdnowTransactions(buffer: Uint8Array, options: CdnowOptions): TransactionColumns {
  const currency = options.defaultCurrency.toUpperCase();
  const digits = minorDigits(currency);
  const decimalSep = options.decimalComma ? 0x2c : 0x2e;
  const useSample = options.idColumn === 'sample';
  const out = new Growable(Math.ceil(buffer.length / 24));
  const numericIds = new Map<number, number>();
  const textIds = new Map<string, number>();
  const customerIds: string[] = [];
  const rejects: RowRejection[] = [];
  const decoder = new TextDecoder('latin1');
  const n = buffer.length;
  let columns = 0; // 4 or 5, fixed by the first data row
  let rowsRead = 0;
  let line = 0;
  let pos = 0;
  // field boundaries of the current row
  const fs = new Int32Array(8);
  const fe = new Int32Array(8);
  let lastIdKey = -1;
  let lastIdIndex = -1;
  let lastDate = -1;
  let lastDay = 0;
  const reject = (lineStart: number, lineEnd: number, column: string | null, reason: string) => {
    if (rejects.length < MAX_REJECTS) {
      rejects.push({
        line,
        column,
        reason,
        raw: decoder.decode(buffer.subarray(lineStart, lineEnd)).trim().split(/\s+/),
      });
    }
  };
  while (pos < n) {
    line++;
    const lineStart = pos;
    let lineEnd = pos;
    while (lineEnd < n && buffer[lineEnd] !== LF) lineEnd++;
    pos = lineEnd + 1;
    let end = lineEnd;
    if (end > lineStart && buffer[end - 1] === CR) end--;
    // split on spaces and tabs
    let count = 0;
    let i = lineStart;
    while (i < end) {
      while (i < end && (buffer[i] === SPACE || buffer[i] === TAB)) i++;
      if (i >= end) break;
      const s = i;
      while (i < end && buffer[i] !== SPACE && buffer[i] !== TAB) i++;
      if (count < 8) {
        fs[count] = s;
        fe[count] = i;
      }
      count++;
    }
    if (count === 0) continue; // blank line
    if (columns === 0) {
      if (!isDigit(buffer[fs[0]])) continue; // the master file's header line
      columns = count === 5 ? 5 : 4;
    }
    rowsRead++;
    if (count !== columns) {
      reject(lineStart, end, null, `expected ${columns} whitespace-separated columns, found ${count}`);
      continue;
    }
    const off = columns - 4;
    // date YYYYMMDD
    const ds = fs[1 + off];
    const de = fe[1 + off];
    let date = 0;
    let dateOk = de - ds === 8;
    for (let k = ds; k < de && dateOk; k++) {
      const b = buffer[k];
      if (isDigit(b)) date = date * 10 + (b - ZERO);
      else dateOk = false;
    }
    let day = lastDay;
    if (dateOk && date !== lastDate) {
      const d = cdnowDay(date);
      if (d === null) dateOk = false;
      else {
        day = d;
        lastDay = d;
        lastDate = date;
      }
    }
    if (!dateOk) {
      reject(
        lineStart,
        end,
        'date',
        `"${decoder.decode(buffer.subarray(ds, de))}" is not a date in YYYYMMDD form`,
      );
      continue;
    }
    // number of CDs: a non-negative integer (checked, not stored)
    const cs = fs[2 + off];
    const ce = fe[2 + off];
    let cdsOk = ce > cs;
    for (let k = cs; k < ce && cdsOk; k++) cdsOk = isDigit(buffer[k]);
    if (!cdsOk) {
      reject(
        lineStart,
        end,
        'number_of_cds',
        `"${decoder.decode(buffer.subarray(cs, ce))}" is not a whole number`,
      );
      continue;
    }
    // dollar value → minor units
    const amount = parseAmount(buffer, fs[3 + off], fe[3 + off], digits, decimalSep);
    if (amount === null) {
      reject(
        lineStart,
        end,
        'dollar_value',
        `"${decoder.decode(buffer.subarray(fs[3 + off], fe[3 + off]))}" is not an amount`,
      );
      continue;
    }
    // customer id (registered only for rows that parse)
    const idField = useSample && columns === 5 ? 1 : 0;
    const is = fs[idField];
    const ie = fe[idField];
    let key = 0;
    let numeric = ie - is <= 15;
    for (let k = is; k < ie && numeric; k++) {
      const b = buffer[k];
      if (isDigit(b)) key = key * 10 + (b - ZERO);
      else numeric = false;
    }
    let customer: number;
    if (numeric) {
      key = key * 16 + (ie - is); // the length keeps "007" and "7" apart
      if (key === lastIdKey) customer = lastIdIndex;
      else {
        let c = numericIds.get(key);
        if (c === undefined) {
          c = customerIds.length;
          numericIds.set(key, c);
          customerIds.push(decoder.decode(buffer.subarray(is, ie)));
        }
        customer = c;
        lastIdKey = key;
        lastIdIndex = c;
      }
    } else {
      const text = decoder.decode(buffer.subarray(is, ie));
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
function parseAmount(buf: Uint8Array, s: number, e: number, digits: number, sep: number): number | null {
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
  const minor = whole * 10 ** digits + frac + (roundUp ? 1 : 0);
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
    const rejectRow = (column: string | null, reason: string) =>
      rejects.push({ line, column, reason, raw: fields });
    if (fields.length !== columns) {
      rejectRow(null, `expected ${columns} whitespace-separated columns, found ${fields.length}`);
      return;
    }
    const off = columns - 4;
    const customerId = useSample && columns === 5 ? fields[1] : fields[0];
    const dateText = fields[1 + off];
    const date = /^\d{8}$/.test(dateText) ? cdnowDay(Number(dateText)) : null;
    if (date === null) {
      rejectRow('date', `"${dateText}" is not a date in YYYYMMDD form`);
      return;
    }
    const cdsText = fields[2 + off];
    if (!/^\d+$/.test(cdsText)) {
      rejectRow('number_of_cds', `"${cdsText}" is not a whole number`);
      return;
    }
    const amountText = fields[3 + off];
    const cents = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(
      options.decimalComma ? amountText.replace(',', '.') : amountText,
    )
      ? toMinorUnits(amountText, currency, options.decimalComma)
      : null;
    if (cents === null) {
      rejectRow('dollar_value', `"${amountText}" is not an amount`);
      return;
    }
    if (cents < 0) {
      rejectRow('dollar_value', `"${amountText}" is negative; CDNOW rows are purchases`);
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
