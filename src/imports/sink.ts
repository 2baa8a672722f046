import { ComebackError } from '../kernel/errors.ts';
import type { ParsedRecord, RowRejection } from '../orders/formats/types.ts';
import { type IngestContext, type IngestInputs, type IngestKind, ingest } from '../orders/ingest.ts';
import type { ImportSink, SinkResult } from './run-import.ts';

const KIND_OF: Record<ParsedRecord['type'], IngestKind> = {
  product: 'products',
  customer: 'customers',
  order: 'orders',
  refund: 'refunds',
};
// Products and customers first: orders point at them; refunds point at orders.
const ORDER: ParsedRecord['type'][] = ['product', 'customer', 'order', 'refund'];

/**
 * The database side of an import: each batch goes through the API's ingestion path, one atomic
 * write per kind. When a write is refused (e.g. a refund of an unknown order), the batch is retried
 * record by record so only the bad records are rejected, each with its file line.
 */
export function databaseSink(ctx: IngestContext, storeId: string): ImportSink {
  return async (records) => {
    const result: SinkResult = { created: 0, updated: 0, unchanged: 0, rejected: [] };
    for (const type of ORDER) {
      const group = records.filter((r) => r.type === type);
      if (group.length === 0) continue;
      const kind = KIND_OF[type];
      try {
        add(
          result,
          await ingest(ctx, storeId, kind, group.map((r) => r.value) as IngestInputs[typeof kind][]),
        );
      } catch (err) {
        if (!(err instanceof ComebackError) || group.length === 1) {
          if (err instanceof ComebackError) {
            result.rejected.push(rejection(group[0], err));
            continue;
          }
          throw err;
        }
        for (const record of group) {
          try {
            add(result, await ingest(ctx, storeId, kind, [record.value] as IngestInputs[typeof kind][]));
          } catch (one) {
            if (!(one instanceof ComebackError)) throw one;
            result.rejected.push(rejection(record, one));
          }
        }
      }
    }
    return result;
  };
}

function add(into: SinkResult, out: { created: number; updated: number; unchanged: number }): void {
  into.created += out.created;
  into.updated += out.updated;
  into.unchanged += out.unchanged;
}

function rejection(record: ParsedRecord, err: ComebackError): RowRejection {
  return { line: record.line, column: err.details[0]?.path ?? null, reason: err.message, raw: null };
}
