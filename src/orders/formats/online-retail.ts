import { OrderInput, RefundInput } from '../schemas.ts';
import {
  type Columns,
  type CsvFile,
  type CsvRow,
  cell,
  formatColumns,
  type Header,
  type ParseItem,
  parseRowGroups,
  RecordDraft,
  type RowGroup,
  rejectGroup,
} from './csv.ts';
import type { ParseOptions, RowRejection } from './types.ts';
import { parseInstant, parseMoney, parseWholeNumber } from './values.ts';

/** UCI Online Retail II columns, with the older Online Retail names as aliases. */
export const ONLINE_RETAIL_COLUMNS = {
  invoice: ['Invoice', 'InvoiceNo'],
  stock_code: ['StockCode'],
  quantity: ['Quantity'],
  invoice_date: ['InvoiceDate'],
  price: ['Price', 'UnitPrice'],
  description: ['Description'],
  customer_id: ['Customer ID', 'CustomerID'],
  country: ['Country'],
} as const;

/** "17850.0" (how spreadsheets write the ids) → "17850". */
export function normalizeCustomerId(text: string): string {
  return text.trim().replace(/^(\d+)\.0+$/, '$1');
}

interface ReadLine {
  row: CsvRow;
  quantity: number;
  priceMinor: number;
}

/**
 * Online Retail (UCI): one row per invoice line, rows of an invoice together. Invoices starting with C
 * are cancellations and become refund records (quantities made positive); A-invoices are bad-debt
 * adjustments. Rows with no sale value (price or quantity 0, negative price, a negative quantity
 * outside a cancellation) are left out as rejections without failing their invoice. No Customer ID
 * means a guest order. Dates are UTC; amounts in options.defaultCurrency.
 */
export async function* parseOnlineRetail(csv: CsvFile, options: ParseOptions): AsyncGenerator<ParseItem> {
  const { header } = csv;
  const cols = formatColumns(header, 'online-retail', ONLINE_RETAIL_COLUMNS, [
    'invoice',
    'stock_code',
    'quantity',
    'invoice_date',
    'price',
  ]);
  yield* parseRowGroups(csv, cols.invoice, (group) => invoice(group, cols, header, options));
}

/** Why a row has no sale value (and which cell says so), or null when it is a sale or a cancelled one. */
function noSale(
  quantity: number,
  priceMinor: number,
  cancellation: boolean,
): { price: boolean; reason: string } | null {
  if (priceMinor === 0)
    return { price: true, reason: 'price 0: not a sale (free item or stock adjustment), row left out' };
  if (priceMinor < 0)
    return { price: true, reason: 'negative price: an adjustment, not a sale, row left out' };
  if (quantity === 0) return { price: false, reason: 'quantity 0: not a sale, row left out' };
  if (quantity < 0 && !cancellation) {
    const reason = 'negative quantity outside a cancellation (C…) invoice: a stock adjustment, row left out';
    return { price: false, reason };
  }
  if (quantity > 0 && cancellation) {
    return { price: false, reason: 'positive quantity in a cancellation (C…) invoice, row left out' };
  }
  return null;
}

function* invoice(
  group: RowGroup,
  cols: Columns<typeof ONLINE_RETAIL_COLUMNS>,
  header: Header,
  options: ParseOptions,
): Generator<ParseItem> {
  const { rows, key } = group;
  if (/^A/i.test(key)) {
    for (const row of rows) {
      const reason = 'adjustment invoice (A…): a bad-debt write-off, not a sale';
      yield {
        kind: 'reject',
        rejection: { line: row.line, column: cols.invoice!.name, reason, raw: header.raw(row) },
      };
    }
    return;
  }
  const cancellation = /^C/i.test(key);
  const currency = options.defaultCurrency.toUpperCase();
  const draft = new RecordDraft(header, rows[0]);
  const skipped: RowRejection[] = [];
  const read: ReadLine[] = [];
  for (const row of rows) {
    const quantity = draft.read('lines.quantity', row, cols.quantity, (t) =>
      parseWholeNumber(t, options.decimalComma),
    );
    const priceMinor = draft.read('lines.price', row, cols.price, (t) =>
      parseMoney(t, currency, options.decimalComma),
    );
    if (quantity === null || priceMinor === null) {
      if (draft.errors.every((e) => e.line !== row.line)) {
        draft.fail(row, quantity === null ? cols.quantity : cols.price, 'is empty but required');
      }
      continue;
    }
    const left = noSale(quantity, priceMinor, cancellation);
    if (left) {
      const column = (left.price ? cols.price : cols.quantity)!.name;
      skipped.push({ line: row.line, column, reason: left.reason, raw: header.raw(row) });
    } else read.push({ row, quantity: Math.abs(quantity), priceMinor });
  }
  for (const s of skipped) yield { kind: 'reject', rejection: s };
  const kept = rows.filter((r) => !skipped.some((s) => s.line === r.line));
  if (kept.length === 0) return;

  const rawId = draft.textFirst('customer.external_id', rows, cols.customer_id);
  const customerId = rawId ? normalizeCustomerId(rawId) : null;
  const country = draft.textFirst('customer.attributes', rows, cols.country);
  const customer = customerId ? { external_id: customerId, attributes: country ? { country } : null } : null;
  const at = draft.readFirst('placed_at', rows, cols.invoice_date, (t) => parseInstant(t, 'mdy'));
  const sku = (r: CsvRow) => cell(r, cols.stock_code) || null;
  const title = (r: CsvRow) => cell(r, cols.description) || null;
  for (const l of read) {
    draft.addLine(l.row);
    draft.source('lines.sku', l.row, cols.stock_code);
    draft.source('lines.title', l.row, cols.description);
    draft.source('lines.unit_price_minor', l.row, cols.price);
    draft.source('lines.amount_minor', l.row, cols.price);
  }
  draft.source('refunded_at', rows[0], cols.invoice_date);

  let value: unknown;
  if (cancellation) {
    const lines = read.map((l) => ({
      sku: sku(l.row),
      quantity: l.quantity,
      amount_minor: l.quantity * l.priceMinor,
    }));
    value = {
      external_id: key,
      customer,
      refunded_at: at,
      currency,
      amount_minor: lines.reduce((sum, l) => sum + l.amount_minor, 0),
      reason: `cancellation invoice ${key}`,
      lines,
    };
  } else {
    const lines = read.map((l) => ({
      sku: sku(l.row),
      title: title(l.row),
      quantity: l.quantity,
      unit_price_minor: l.priceMinor,
    }));
    value = {
      external_id: key,
      customer,
      placed_at: at,
      currency,
      status: 'paid',
      lines,
      total_minor: lines.reduce((sum, l) => sum + l.quantity * l.unit_price_minor, 0),
    };
  }
  const line = rows[0].line;
  if (cancellation) {
    const valid = draft.validate(RefundInput, value);
    if (valid.ok)
      yield { kind: 'record', record: { type: 'refund', line, value: valid.value }, guest: false };
    else
      for (const r of rejectGroup(header, { key, rows: kept }, valid.rejections, `invoice ${key}`))
        yield { kind: 'reject', rejection: r };
  } else {
    const valid = draft.validate(OrderInput, value);
    if (valid.ok)
      yield { kind: 'record', record: { type: 'order', line, value: valid.value }, guest: !customer };
    else
      for (const r of rejectGroup(header, { key, rows: kept }, valid.rejections, `invoice ${key}`))
        yield { kind: 'reject', rejection: r };
  }
}
