import { Address, CustomerInput } from '../../customers/schemas.ts';
import { OrderInput, RefundInput } from '../schemas.ts';
import {
  type AddressColumns,
  addressOnlyWithStreet,
  attributesOf,
  type Columns,
  type CsvFile,
  type CsvRow,
  cell,
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
  type OrderStatus,
  type Parsed,
  parseBoolean,
  parseInstant,
  parseMoney,
  parseOrderStatus,
  parseWholeNumber,
  splitList,
} from './values.ts';

/** The columns of Shopify's orders export this parser reads (others are ignored). */
export const SHOPIFY_ORDER_COLUMNS = {
  name: ['Name'],
  created_at: ['Created at'],
  quantity: ['Lineitem quantity'],
  price: ['Lineitem price'],
  id: ['Id'],
  email: ['Email'],
  financial_status: ['Financial Status'],
  fulfillment_status: ['Fulfillment Status'],
  accepts_marketing: ['Accepts Marketing', 'Accepts Email Marketing'],
  currency: ['Currency'],
  shipping: ['Shipping'],
  taxes: ['Taxes'],
  total: ['Total'],
  discount_code: ['Discount Code'],
  discount_amount: ['Discount Amount'],
  item_name: ['Lineitem name'],
  item_sku: ['Lineitem sku'],
  item_discount: ['Lineitem discount'],
  billing_name: ['Billing Name'],
  billing_phone: ['Billing Phone'],
  billing_street: ['Billing Street'],
  billing_address1: ['Billing Address1'],
  billing_address2: ['Billing Address2'],
  billing_zip: ['Billing Zip'],
  billing_city: ['Billing City'],
  billing_province: ['Billing Province'],
  billing_country: ['Billing Country'],
  phone: ['Phone'],
  cancelled_at: ['Cancelled at'],
  refunded_amount: ['Refunded Amount'],
  source: ['Source'],
} as const;

/** Shopify's customers export. */
export const SHOPIFY_CUSTOMER_COLUMNS = {
  email: ['Email'],
  customer_id: ['Customer ID', 'Id'],
  first_name: ['First Name'],
  last_name: ['Last Name'],
  phone: ['Phone', 'Default Address Phone'],
  accepts_email: ['Accepts Email Marketing', 'Accepts Marketing'],
  accepts_sms: ['Accepts SMS Marketing'],
  tags: ['Tags'],
  address1: ['Default Address Address1', 'Address1'],
  address2: ['Default Address Address2', 'Address2'],
  zip: ['Default Address Zip', 'Zip'],
  city: ['Default Address City', 'City'],
  province: ['Default Address Province Code', 'Province Code', 'Province'],
  country: ['Default Address Country Code', 'Country Code', 'Country'],
} as const;

/**
 * An order's billing address when it is a valid one, else none: an address is the customer's
 * detail, and one that fails (a street over 200 characters, a country no code or name reads as)
 * must not cost the store the order.
 */
function validOrNothing(address: ReturnType<typeof shopifyAddress>) {
  return address !== undefined && Address.safeParse(address).success ? address : undefined;
}

/**
 * The postal address in the first row that has a street: undefined when the export has no street
 * column or no row has one (a stored address stays as it was).
 */
function shopifyAddress(draft: RecordDraft, rows: readonly CsvRow[], c: AddressColumns) {
  const a = readAddress(draft, rows, c);
  // Shopify writes a postcode with a leading apostrophe so that spreadsheets keep its zeros.
  return a && { ...a, postal_code: a.postal_code?.replace(/^'/, '') ?? null };
}

const CONSENT_SOURCE = 'shopify import';

/** Financial status (and cancellation) → our status; a paid and fulfilled order is `fulfilled`. */
function orderStatus(financial: string, fulfillment: string, cancelled: boolean): Parsed<OrderStatus> {
  if (cancelled) return { ok: true, value: 'cancelled' };
  const f = financial.trim().toLowerCase().replace(/\s+/g, '_');
  if (f === 'paid' && fulfillment.trim().toLowerCase() === 'fulfilled')
    return { ok: true, value: 'fulfilled' };
  if (f === '') return { ok: true, value: 'open' };
  return parseOrderStatus(f);
}

/** "Ada Lovelace King" → first "Ada", last "Lovelace King". */
function splitName(name: string | null): { first_name: string | null; last_name: string | null } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { first_name: null, last_name: null };
  return { first_name: parts[0], last_name: parts.length > 1 ? parts.slice(1).join(' ') : null };
}

/**
 * Shopify's orders export: one row per line item, order-level columns on the order's first row. The
 * order's id is Shopify's `Id` (its `Name`, #1001, when the export has no Id); the customer is the
 * lower-cased Email (guest when empty). Accepts Marketing = yes adds a customer record with an email
 * consent `granted` (once per customer per file); Refunded Amount > 0 adds a refund record.
 */
export async function* parseShopifyOrders(csv: CsvFile, options: ParseOptions): AsyncGenerator<ParseItem> {
  const { header } = csv;
  const cols = formatColumns(header, 'shopify', SHOPIFY_ORDER_COLUMNS, [
    'name',
    'created_at',
    'quantity',
    'price',
  ]);
  const consented = new Set<string>();
  yield* parseRowGroups(csv, cols.name, (group) => shopifyOrder(group, cols, header, options, consented));
}

function* shopifyOrder(
  group: RowGroup,
  cols: Columns<typeof SHOPIFY_ORDER_COLUMNS>,
  header: Header,
  options: ParseOptions,
  consented: Set<string>,
): Generator<ParseItem> {
  const { rows } = group;
  const draft = new RecordDraft(header, rows[0]);
  const currency = (
    draft.textFirst('currency', rows, cols.currency) ?? options.defaultCurrency
  ).toUpperCase();
  const amount = (t: string) => nonNegative(parseMoney(t, currency, options.decimalComma), t);
  const skipped: RowRejection[] = [];
  const lines = [];
  for (const row of rows) {
    const quantity = draft.read('lines.quantity', row, cols.quantity, (t) =>
      parseWholeNumber(t, options.decimalComma),
    );
    if (quantity === 0) {
      const reason = 'Lineitem quantity 0: not a sale, row left out';
      skipped.push({ line: row.line, column: cols.quantity!.name, reason, raw: header.raw(row) });
      continue;
    }
    if (quantity !== null && quantity < 0) draft.fail(row, cols.quantity, 'negative Lineitem quantity');
    draft.addLine(row);
    lines.push({
      sku: draft.text('lines.sku', row, cols.item_sku),
      title: draft.text('lines.title', row, cols.item_name),
      quantity,
      unit_price_minor: draft.read('lines.unit_price_minor', row, cols.price, amount),
      discount_minor: draft.read('lines.discount_minor', row, cols.item_discount, amount),
    });
  }
  for (const s of skipped) yield { kind: 'reject', rejection: s };
  const kept = rows.filter((r) => !skipped.some((s) => s.line === r.line));
  if (kept.length === 0) return;

  const externalId = draft.textFirst('external_id', rows, cols.id) ?? group.key;
  if (!cols.id || !cell(rows[0], cols.id)) draft.source('external_id', rows[0], cols.name);
  const email = draft.textFirst('customer.email', rows, cols.email)?.toLowerCase() ?? null;
  draft.source('customer.external_id', rows[0], cols.email);
  const phone =
    draft.textFirst('customer.phone', rows, cols.billing_phone) ??
    draft.textFirst('customer.phone', rows, cols.phone);
  const customer = email
    ? {
        external_id: email,
        email,
        phone,
        ...splitName(draft.textFirst('customer.first_name', rows, cols.billing_name)),
        // The billing address; an order without one leaves the customer's stored address alone.
        address: validOrNothing(
          shopifyAddress(draft, rows, {
            street: cols.billing_street,
            line1: cols.billing_address1,
            line2: cols.billing_address2,
            zip: cols.billing_zip,
            city: cols.billing_city,
            region: cols.billing_province,
            country: cols.billing_country,
          }),
        ),
      }
    : null;
  if (customer) draft.source('customer.last_name', rows[0], cols.billing_name);
  const placedAt = draft.readFirst('placed_at', rows, cols.created_at, (t) => parseInstant(t));
  const cancelledAt = draft.readFirst('cancelled_at', rows, cols.cancelled_at, (t) => parseInstant(t));
  const status = orderStatus(
    cell(rows[0], cols.financial_status),
    cell(rows[0], cols.fulfillment_status),
    cancelledAt !== null,
  );
  if (status.ok) draft.source('status', rows[0], cols.financial_status);
  else draft.fail(rows[0], cols.financial_status, status.reason);
  const discountMinor = draft.readFirst('discount_minor', rows, cols.discount_amount, amount);
  const order = {
    external_id: externalId,
    customer,
    placed_at: placedAt,
    currency,
    status: status.ok ? status.value : null,
    source: draft.textFirst('source', rows, cols.source),
    lines,
    discount_minor: discountMinor,
    shipping_minor: draft.readFirst('shipping_minor', rows, cols.shipping, amount),
    tax_minor: draft.readFirst('tax_minor', rows, cols.taxes, amount),
    total_minor: draft.readFirst('total_minor', rows, cols.total, amount),
    discount_codes: draft.readFirst('discount_codes', rows, cols.discount_code, (t) => ({
      ok: true,
      value: splitList(t, /,/),
    })),
  };
  const refundedMinor = draft.readFirst('amount_minor', rows, cols.refunded_amount, amount);
  // A marketing flag never fails an order: only a clear yes counts.
  const accepts = parseBoolean(cell(rows[0], cols.accepts_marketing));
  const valid = draft.validate(OrderInput, order);
  if (!valid.ok) {
    for (const r of rejectGroup(header, { key: group.key, rows: kept }, valid.rejections)) {
      yield { kind: 'reject', rejection: r };
    }
    return;
  }
  const line = rows[0].line;
  if (customer && accepts.ok && accepts.value === true && !consented.has(customer.external_id)) {
    consented.add(customer.external_id);
    const consent = draft.validate(CustomerInput, {
      ...customer,
      consents: [
        { channel: 'email', status: 'granted', source: CONSENT_SOURCE, occurred_at: valid.value.placed_at },
      ],
    });
    if (consent.ok)
      yield { kind: 'record', record: { type: 'customer', line, value: consent.value }, guest: false };
  }
  yield { kind: 'record', record: { type: 'order', line, value: valid.value }, guest: !customer };
  if (refundedMinor) {
    const refund = draft.validate(RefundInput, {
      external_id: `${externalId}:refund`,
      order_external_id: externalId,
      customer,
      // The export has no refund date: a cancellation's date, else the order's.
      refunded_at: cancelledAt ?? valid.value.placed_at,
      currency,
      amount_minor: refundedMinor,
      reason: 'Refunded Amount in the Shopify export',
    });
    if (refund.ok)
      yield { kind: 'record', record: { type: 'refund', line, value: refund.value }, guest: false };
    else for (const r of refund.rejections) yield { kind: 'reject', rejection: r };
  }
}

/**
 * Shopify's customers export: the customer's id is the lower-cased Email (as in the orders export; the
 * Customer ID when there is no email). Accepts Email/SMS Marketing = yes → consent `granted`; the
 * default address (Address1, Zip, City, Province Code, Country Code) becomes the postal address;
 * other columns (Total Spent, Note …) go to `attributes`.
 */
export async function* parseShopifyCustomers(csv: CsvFile, options: ParseOptions): AsyncGenerator<ParseItem> {
  void options;
  const { header } = csv;
  const required = requireColumns(header, 'shopify', { email: SHOPIFY_CUSTOMER_COLUMNS.email });
  const found = { ...findColumns(header, SHOPIFY_CUSTOMER_COLUMNS), ...required };
  const cols = addressOnlyWithStreet(found, 'address1', ['address2', 'zip', 'city', 'province', 'country']);
  const extras = extraColumns(header, Object.values(cols));
  for await (const row of csv.rows) {
    if (isMalformed(row)) {
      yield { kind: 'reject', rejection: { line: row.line, column: null, reason: row.reason, raw: null } };
      continue;
    }
    yield* shopifyCustomer(row, cols, header, extras);
  }
}

function* shopifyCustomer(
  row: CsvRow,
  cols: Columns<typeof SHOPIFY_CUSTOMER_COLUMNS>,
  header: Header,
  extras: ReturnType<typeof extraColumns>,
): Generator<ParseItem> {
  const draft = new RecordDraft(header, row);
  const email = draft.text('email', row, cols.email)?.toLowerCase() ?? null;
  const customerId = draft.text('external_id', row, cols.customer_id)?.replace(/^'/, '') ?? null;
  draft.source('external_id', row, email ? cols.email : cols.customer_id);
  if (!email && !customerId) draft.fail(row, cols.email, 'Email is empty', 'external_id');
  const consents = [];
  for (const [channel, col] of [
    ['email', cols.accepts_email],
    ['sms', cols.accepts_sms],
  ] as const) {
    if (draft.read('consents', row, col, parseBoolean) === true) {
      consents.push({ channel, status: 'granted', source: CONSENT_SOURCE });
    }
  }
  const customer = {
    external_id: email ?? customerId,
    email,
    phone: draft.text('phone', row, cols.phone),
    first_name: draft.text('first_name', row, cols.first_name),
    last_name: draft.text('last_name', row, cols.last_name),
    tags: draft.read('tags', row, cols.tags, (t) => ({ ok: true, value: splitList(t, /,/) })),
    // The default address; a customer without one has none (an export without the columns keeps it).
    address: cols.address1
      ? (shopifyAddress(draft, [row], {
          line1: cols.address1,
          line2: cols.address2,
          zip: cols.zip,
          city: cols.city,
          region: cols.province,
          country: cols.country,
        }) ?? null)
      : undefined,
    attributes: attributesOf(row, extras),
    consents: consents.length > 0 ? consents : null,
  };
  yield* finishRecord(draft, CustomerInput, customer, 'customer', row);
}
