import type { TransactionColumns } from '../orders/formats/types.ts';

/**
 * Test helper: transaction columns from [customer, 'YYYY-MM-DD', amount in minor units] rows,
 * customers indexed in order of first appearance.
 */
export function transactions(rows: Array<[string, string, number]>, currency = 'USD'): TransactionColumns {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const customerIndex = new Int32Array(rows.length);
  const timeMs = new Float64Array(rows.length);
  const amountMinor = new Float64Array(rows.length);
  rows.forEach(([id, date, amount], i) => {
    let c = index.get(id);
    if (c === undefined) {
      c = ids.length;
      index.set(id, c);
      ids.push(id);
    }
    customerIndex[i] = c;
    timeMs[i] = Date.parse(`${date}T00:00:00Z`);
    amountMinor[i] = amount;
  });
  return {
    customerIds: ids,
    customerIndex,
    timeMs,
    amountMinor,
    length: rows.length,
    currency,
    rowsRead: rows.length,
    rejects: [],
  };
}

export const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
