import { ComebackError, RecordError } from '../kernel/errors.ts';
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
/** Times a batch is written again without a refused record before the rest goes record by record. */
const MAX_BATCH_RETRIES = 10;

/**
 * The database side of an import: each batch goes through the API's ingestion path, one atomic
 * write per kind. When the write refuses a record by its position (a refund of an unknown order),
 * that record is rejected with its file line and the rest is written again as one batch; any other
 * refusal retries the batch record by record, so only the bad records are rejected.
 */
export function databaseSink(ctx: IngestContext, storeId: string): ImportSink {
  return async (records) => {
    const result: SinkResult = { created: 0, updated: 0, unchanged: 0, rejected: [] };
    for (const type of ORDER) {
      let group = records.filter((r) => r.type === type);
      const kind = KIND_OF[type];
      let refusedByPosition = 0;
      while (group.length > 0) {
        try {
          add(
            result,
            await ingest(ctx, storeId, kind, group.map((r) => r.value) as IngestInputs[typeof kind][]),
          );
          break;
        } catch (err) {
          // Beyond a few bad records, going record by record costs less than rewriting the batch each time.
          const few = refusedByPosition++ < MAX_BATCH_RETRIES;
          if (err instanceof RecordError && few && group.length > 1 && group[err.index]) {
            result.rejected.push(rejection(group[err.index], err));
            group = group.filter((_, i) => i !== err.index);
            continue;
          }
          if (!(err instanceof ComebackError)) throw err;
          if (group.length === 1) {
            result.rejected.push(rejection(group[0], err));
            break;
          }
          for (const record of group) {
            try {
              add(result, await ingest(ctx, storeId, kind, [record.value] as IngestInputs[typeof kind][]));
            } catch (one) {
              if (!(one instanceof ComebackError)) throw one;
              result.rejected.push(rejection(record, one));
            }
          }
          break;
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
