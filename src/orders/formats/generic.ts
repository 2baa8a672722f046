import { CustomerInput } from '../../customers/schemas.ts';
import { ComebackError } from '../../kernel/errors.ts';
import { OrderInput, ProductInput, RefundInput } from '../schemas.ts';
import {
  addressOnlyWithStreet,
  attributesOf,
  type Column,
  type Columns,
  type CsvFile,
  type CsvRow,
  extraColumns,
  findColumns,
  finishRecord,
  formatColumns,
  type Header,
  isMalformed,
  type ParseItem,
  parseRowGroups,
  RecordDraft,
  type RowGroup,
  readAddress,
  rejectGroup,
  requireColumns,
} from './csv.ts';
import type { ParseOptions, RowRejection } from './types.ts';
import {
  nonNegative,
  parseBoolean,
  parseCalendarDate,
  parseInstant,
  parseMoney,
  parseOrderStatus,
  parseWholeNumber,
  splitList,
} from './values.ts';

/** Generic orders file: one row per order line. Each key lists the column names accepted for it. */
export const GENERIC_ORDER_COLUMNS = {
  order_id: ['order_id', 'order_number', 'order_no', 'order'],
  placed_at: ['placed_at', 'order_date', 'date'],
  quantity: ['quantity', 'qty'],
  unit_price: ['unit_price', 'price'],
  customer_id: ['customer_id', 'customer_number', 'customer'],
  email: ['email', 'customer_email'],
  first_name: ['first_name'],
  last_name: ['last_name'],
  phone: ['phone'],
  currency: ['currency'],
  sku: ['sku'],
  product_id: ['product_id'],
  title: ['title', 'product_title', 'product_name', 'description'],
  line_discount: ['line_discount'],
  discount: ['discount', 'order_discount'],
  shipping: ['shipping'],
  tax: ['tax'],
  total: ['total', 'order_total'],
  status: ['status'],
  source: ['source', 'channel'],
  discount_codes: ['discount_codes', 'discount_code', 'coupon_code', 'coupons'],
  updated_at: ['updated_at'],
  refunded_amount: ['refunded_amount', 'refunded'],
  refunded_at: ['refunded_at'],
} as const;

export const GENERIC_CUSTOMER_COLUMNS = {
  customer_id: ['customer_id', 'customer_number', 'id'],
  email: ['email'],
  phone: ['phone'],
  first_name: ['first_name'],
  last_name: ['last_name'],
  birthday: ['birthday', 'date_of_birth'],
  locale: ['locale', 'language'],
  timezone: ['timezone', 'time_zone'],
  tags: ['tags'],
  account_manager: ['account_manager'],
  created_at: ['created_at'],
  updated_at: ['updated_at'],
  accepts_email_marketing: ['accepts_email_marketing', 'email_marketing'],
  accepts_sms_marketing: ['accepts_sms_marketing', 'sms_marketing'],
  address_line1: ['address_line1', 'address1', 'street'],
  address_line2: ['address_line2', 'address2'],
  postal_code: ['postal_code', 'zip', 'zip_code', 'postcode'],
  city: ['city'],
  region: ['region', 'state', 'province'],
  country: ['country', 'country_code'],
} as const;

export const GENERIC_PRODUCT_COLUMNS = {
  product_id: ['product_id', 'id'],
  sku: ['sku'],
  title: ['title', 'name'],
  category: ['category'],
  price: ['price'],
  currency: ['currency'],
  replenishment_interval_days: ['replenishment_interval_days', 'replenishment_days'],
  updated_at: ['updated_at'],
} as const;

const money = (currency: string, options: ParseOptions) => (t: string) =>
  nonNegative(parseMoney(t, currency, options.decimalComma), t);
const instant = (t: string) => parseInstant(t);

/**
 * Generic orders: one row per order line, order-level columns read from the first row of the order
 * that fills them. The customer is `customer_id`, else the lower-cased email, else none (a guest order).
 * An order is imported whole or not at all; rows with quantity 0 are left out (rejected) on their own.
 */
export async function* parseGenericOrders(csv: CsvFile, options: ParseOptions): AsyncGenerator<ParseItem> {
  const { header } = csv;
  const cols = formatColumns(header, 'generic', GENERIC_ORDER_COLUMNS, [
    'order_id',
    'placed_at',
    'quantity',
    'unit_price',
  ]);
  if (!cols.sku && !cols.product_id && !cols.title) {
    throw new ComebackError('IMPORT_FAILED', 'the orders file needs a sku, product_id or title column');
  }
  yield* parseRowGroups(csv, cols.order_id, (group) => genericOrder(group, cols, header, options));
}

function customerRef(
  draft: RecordDraft,
  rows: readonly CsvRow[],
  c: {
    customer_id: Column | null;
    email: Column | null;
    first_name: Column | null;
    last_name: Column | null;
    phone: Column | null;
  },
) {
  const id = draft.textFirst('customer.external_id', rows, c.customer_id);
  const email = draft.textFirst('customer.email', rows, c.email);
  if (!id) draft.source('customer.external_id', rows[0], c.email);
  const externalId = id ?? email?.toLowerCase() ?? null;
  if (!externalId) return null;
  return {
    external_id: externalId,
    email,
    phone: draft.textFirst('customer.phone', rows, c.phone),
    first_name: draft.textFirst('customer.first_name', rows, c.first_name),
    last_name: draft.textFirst('customer.last_name', rows, c.last_name),
  };
}

function* genericOrder(
  group: RowGroup,
  cols: Columns<typeof GENERIC_ORDER_COLUMNS>,
  header: Header,
  options: ParseOptions,
): Generator<ParseItem> {
  const { rows, key } = group;
  const draft = new RecordDraft(header, rows[0]);
  const currency = (
    draft.textFirst('currency', rows, cols.currency) ?? options.defaultCurrency
  ).toUpperCase();
  const amount = money(currency, options);
  const skipped: RowRejection[] = [];
  const lines = [];
  for (const row of rows) {
    const quantity = draft.read('lines.quantity', row, cols.quantity, (t) =>
      parseWholeNumber(t, options.decimalComma),
    );
    if (quantity === 0) {
      skipped.push({
        line: row.line,
        column: cols.quantity!.name,
        reason: 'quantity 0: not a sale, row left out',
        raw: header.raw(row),
      });
      continue;
    }
    if (quantity !== null && quantity < 0) {
      draft.fail(row, cols.quantity, 'negative quantity; put returns in refunded_amount instead');
    }
    draft.addLine(row);
    lines.push({
      sku: draft.text('lines.sku', row, cols.sku),
      product_external_id: draft.text('lines.product_external_id', row, cols.product_id),
      title: draft.text('lines.title', row, cols.title),
      quantity,
      unit_price_minor: draft.read('lines.unit_price_minor', row, cols.unit_price, amount),
      discount_minor: draft.read('lines.discount_minor', row, cols.line_discount, amount),
    });
  }
  const kept = rows.filter((r) => !skipped.some((s) => s.line === r.line));
  for (const s of skipped) yield { kind: 'reject', rejection: s };
  if (kept.length === 0) return;

  // Order-level cells are read from all rows (a left-out row may be the one carrying them).
  const customer = customerRef(draft, rows, cols);
  const placedAt = draft.readFirst('placed_at', rows, cols.placed_at, instant);
  const order = {
    external_id: key,
    customer,
    placed_at: placedAt,
    currency,
    status: draft.readFirst('status', rows, cols.status, parseOrderStatus),
    source: draft.textFirst('source', rows, cols.source),
    lines,
    discount_minor: draft.readFirst('discount_minor', rows, cols.discount, amount),
    shipping_minor: draft.readFirst('shipping_minor', rows, cols.shipping, amount),
    tax_minor: draft.readFirst('tax_minor', rows, cols.tax, amount),
    total_minor: draft.readFirst('total_minor', rows, cols.total, amount),
    discount_codes: draft.readFirst('discount_codes', rows, cols.discount_codes, (t) => ({
      ok: true,
      value: splitList(t, /[;|,]/),
    })),
    updated_at: draft.readFirst('updated_at', rows, cols.updated_at, instant),
  };
  const refundedMinor = draft.readFirst('amount_minor', rows, cols.refunded_amount, amount);
  const refundedAt = draft.readFirst('refunded_at', rows, cols.refunded_at, instant);
  const valid = draft.validate(OrderInput, order);
  if (!valid.ok) {
    for (const r of rejectGroup(header, { key, rows: kept }, valid.rejections))
      yield { kind: 'reject', rejection: r };
    return;
  }
  yield {
    kind: 'record',
    record: { type: 'order', line: rows[0].line, value: valid.value },
    guest: !customer,
  };
  if (refundedMinor) {
    const refund = draft.validate(RefundInput, {
      external_id: `${key}:refund`,
      order_external_id: key,
      customer,
      refunded_at: refundedAt ?? valid.value.updated_at ?? valid.value.placed_at,
      currency,
      amount_minor: refundedMinor,
      reason: 'refunded_amount in the orders file',
    });
    if (refund.ok)
      yield {
        kind: 'record',
        record: { type: 'refund', line: rows[0].line, value: refund.value },
        guest: false,
      };
    else for (const r of refund.rejections) yield { kind: 'reject', rejection: r };
  }
}

/**
 * Generic customers: one row per customer, id `customer_id` else the lower-cased email. Marketing
 * consent columns record `granted` (yes) or `withdrawn` (no); empty records nothing. Other columns go
 * to `attributes`.
 */
export async function* parseGenericCustomers(csv: CsvFile, options: ParseOptions): AsyncGenerator<ParseItem> {
  void options;
  const { header } = csv;
  const cols = addressOnlyWithStreet(findColumns(header, GENERIC_CUSTOMER_COLUMNS), 'address_line1', [
    'address_line2',
    'postal_code',
    'city',
    'region',
    'country',
  ]);
  if (!cols.customer_id && !cols.email)
    requireColumns(header, 'generic', { customer_id: GENERIC_CUSTOMER_COLUMNS.customer_id });
  const extras = extraColumns(header, Object.values(cols));
  for await (const row of csv.rows) {
    if (isMalformed(row)) {
      yield { kind: 'reject', rejection: { line: row.line, column: null, reason: row.reason, raw: null } };
      continue;
    }
    const draft = new RecordDraft(header, row);
    const id = draft.text('external_id', row, cols.customer_id);
    const email = draft.text('email', row, cols.email);
    if (!id) draft.source('external_id', row, cols.email);
    const externalId = id ?? email?.toLowerCase();
    if (!externalId) {
      draft.fail(row, cols.customer_id ?? cols.email, 'customer_id and email are both empty', 'external_id');
    }
    const updatedAt = draft.read('updated_at', row, cols.updated_at, instant);
    const consents = [];
    for (const [channel, col] of [
      ['email', cols.accepts_email_marketing],
      ['sms', cols.accepts_sms_marketing],
    ] as const) {
      const accepts = draft.read('consents', row, col, parseBoolean);
      if (accepts !== null) {
        consents.push({
          channel,
          status: accepts ? 'granted' : 'withdrawn',
          source: 'import',
          occurred_at: updatedAt,
        });
      }
    }
    const customer = {
      external_id: externalId,
      email,
      phone: draft.text('phone', row, cols.phone),
      first_name: draft.text('first_name', row, cols.first_name),
      last_name: draft.text('last_name', row, cols.last_name),
      birthday: draft.read('birthday', row, cols.birthday, parseCalendarDate),
      locale: draft.text('locale', row, cols.locale),
      timezone: draft.text('timezone', row, cols.timezone),
      tags: draft.read('tags', row, cols.tags, (t) => ({ ok: true, value: splitList(t) })),
      account_manager: draft.text('account_manager', row, cols.account_manager),
      attributes: attributesOf(row, extras),
      address: addressOf(draft, row, cols),
      created_at: draft.read('created_at', row, cols.created_at, instant),
      updated_at: updatedAt,
      consents: consents.length > 0 ? consents : null,
    };
    yield* finishRecord(draft, CustomerInput, customer, 'customer', row);
  }
}

/**
 * The postal address of a customer row: undefined when the file has no street column (the stored
 * address stays), null when the row's street is empty (it is cleared).
 */
function addressOf(draft: RecordDraft, row: CsvRow, cols: Columns<typeof GENERIC_CUSTOMER_COLUMNS>) {
  if (!cols.address_line1) return undefined;
  const columns = {
    line1: cols.address_line1,
    line2: cols.address_line2,
    zip: cols.postal_code,
    city: cols.city,
    region: cols.region,
    country: cols.country,
  };
  return readAddress(draft, [row], columns) ?? null;
}

/**
 * Generic products: one row per product, id `product_id` else `sku`. Price in major units, currency
 * from the column or the default. Other columns go to `attributes`.
 */
export async function* parseGenericProducts(csv: CsvFile, options: ParseOptions): AsyncGenerator<ParseItem> {
  const { header } = csv;
  const cols = findColumns(header, GENERIC_PRODUCT_COLUMNS);
  requireColumns(header, 'generic', { title: GENERIC_PRODUCT_COLUMNS.title });
  if (!cols.product_id && !cols.sku)
    requireColumns(header, 'generic', { product_id: GENERIC_PRODUCT_COLUMNS.product_id });
  const extras = extraColumns(header, Object.values(cols));
  for await (const row of csv.rows) {
    if (isMalformed(row)) {
      yield { kind: 'reject', rejection: { line: row.line, column: null, reason: row.reason, raw: null } };
      continue;
    }
    const draft = new RecordDraft(header, row);
    const id = draft.text('external_id', row, cols.product_id);
    const sku = draft.text('sku', row, cols.sku);
    if (!id) draft.source('external_id', row, cols.sku);
    if (!id && !sku)
      draft.fail(row, cols.product_id ?? cols.sku, 'product_id and sku are both empty', 'external_id');
    const currency = (draft.text('currency', row, cols.currency) ?? options.defaultCurrency).toUpperCase();
    const price = draft.read('price_minor', row, cols.price, money(currency, options));
    const product = {
      external_id: id ?? sku,
      sku,
      title: draft.text('title', row, cols.title),
      category: draft.text('category', row, cols.category),
      price_minor: price,
      currency: price === null ? null : currency,
      replenishment_interval_days: draft.read(
        'replenishment_interval_days',
        row,
        cols.replenishment_interval_days,
        (t) => parseWholeNumber(t, options.decimalComma),
      ),
      attributes: attributesOf(row, extras),
      updated_at: draft.read('updated_at', row, cols.updated_at, instant),
    };
    yield* finishRecord(draft, ProductInput, product, 'product', row);
  }
}
