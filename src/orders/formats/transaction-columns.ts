import type { OrderInput } from '../schemas.ts';
import type { ParsedBatch, RowRejection, TransactionColumns } from './types.ts';

/** TransactionColumns plus what was left out on the way. */
export interface TransactionColumnsRead extends TransactionColumns {
  /** Orders without a customer: not in the columns, only counted. */
  guestOrders: number;
  /** Refunds without a customer (guest cancellations): not in the columns, only counted. */
  guestRefunds: number;
}

/** Grows a typed array by doubling; `push` is amortised O(1) and there is no per-row object. */
class Column<T extends Float64Array | Int32Array> {
  data: T;
  length = 0;

  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** An exactly sized copy. */
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/**
 * The spend of an order in minor units: its total, or when it has none, the default the schema
 * documents — sum of quantity × unit price − discount + shipping + tax.
 */
export function orderAmountMinor(order: OrderInput): number {
  if (order.total_minor !== null && order.total_minor !== undefined) return order.total_minor;
  const subtotal = order.lines.reduce((sum, l) => sum + l.quantity * l.unit_price_minor, 0);
  return subtotal - (order.discount_minor ?? 0) + (order.shipping_minor ?? 0) + (order.tax_minor ?? 0);
}

/**
 * Reads parsed batches into columns for the analytics core: one entry per order (placed_at, its total)
 * and one per refund (refunded_at, minus its amount), in file order; customers as dense indexes into
 * `customerIds` in order of first appearance. Guest orders and refunds are counted, not included.
 * Records in a currency other than the first one met are rejected (amounts cannot be mixed). Keeps the
 * rejections without their raw fields, to stay small. Memory: 12 bytes per entry plus the ids.
 */
export async function transactionsFromBatches(
  batches: AsyncIterable<ParsedBatch>,
): Promise<TransactionColumnsRead> {
  const index = new Map<string, number>();
  const customerIds: string[] = [];
  const customerIndex = new Column((n) => new Int32Array(n));
  const timeMs = new Column((n) => new Float64Array(n));
  const amountMinor = new Column((n) => new Float64Array(n));
  const rejects: RowRejection[] = [];
  let currency: string | null = null;
  let rowsRead = 0;
  let guestOrders = 0;
  let guestRefunds = 0;

  const add = (customerId: string, atIso: string, amount: number) => {
    let i = index.get(customerId);
    if (i === undefined) {
      i = customerIds.length;
      index.set(customerId, i);
      customerIds.push(customerId);
    }
    customerIndex.push(i);
    timeMs.push(Date.parse(atIso));
    amountMinor.push(amount);
  };

  for await (const batch of batches) {
    rowsRead = batch.rowsRead;
    for (const r of batch.rejects) rejects.push({ ...r, raw: null });
    for (const record of batch.records) {
      if (record.type !== 'order' && record.type !== 'refund') continue;
      const value = record.value;
      currency ??= value.currency;
      if (value.currency !== currency) {
        const reason = `currency ${value.currency} differs from the file's ${currency}; left out of the analysis`;
        rejects.push({ line: record.line, column: null, reason, raw: null });
        continue;
      }
      const customerId = value.customer?.external_id;
      if (record.type === 'order') {
        if (customerId) add(customerId, record.value.placed_at, orderAmountMinor(record.value));
        else guestOrders++;
      } else if (customerId) {
        add(customerId, record.value.refunded_at, -record.value.amount_minor);
      } else {
        guestRefunds++;
      }
    }
  }
  return {
    customerIds,
    customerIndex: customerIndex.done(),
    timeMs: timeMs.done(),
    amountMinor: amountMinor.done(),
    length: customerIndex.length,
    currency: currency ?? '',
    rowsRead,
    rejects,
    guestOrders,
    guestRefunds,
  };
}
