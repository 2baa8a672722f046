import { ComebackError } from '../../kernel/errors.ts';
import { parseCdnowRecords } from './cdnow.ts';
import { type CsvFile, type CsvInput, openCsv, type ParseItem } from './csv.ts';
import { parseGenericCustomers, parseGenericOrders, parseGenericProducts } from './generic.ts';
import { parseOnlineRetail } from './online-retail.ts';
import { parseShopifyCustomers, parseShopifyOrders } from './shopify.ts';
import type { FileFormat, ImportKind, ParsedBatch, ParseOptions } from './types.ts';

/** Records per batch: large enough for one database round trip, small enough to stay light. */
export const DEFAULT_BATCH_SIZE = 500;

type FormatParser = (csv: CsvFile, options: ParseOptions) => AsyncIterable<ParseItem>;

const CSV_PARSERS: Record<ImportKind, Partial<Record<FileFormat, FormatParser>>> = {
  orders: { generic: parseGenericOrders, shopify: parseShopifyOrders, 'online-retail': parseOnlineRetail },
  customers: { generic: parseGenericCustomers, shopify: parseShopifyCustomers },
  products: { generic: parseGenericProducts },
};

/** Packs parser items into batches of about `batchSize` records, with the file's progress counters. */
async function* toBatches(
  csv: CsvFile,
  items: AsyncIterable<ParseItem>,
  batchSize: number,
): AsyncGenerator<ParsedBatch> {
  let batch: ParsedBatch = { records: [], rejects: [], rowsRead: 0, guestOrders: 0, bytesRead: 0 };
  const take = (): ParsedBatch => {
    const done = { ...batch, rowsRead: csv.stats.rowsRead, bytesRead: csv.stats.bytesRead };
    batch = { records: [], rejects: [], rowsRead: 0, guestOrders: 0, bytesRead: 0 };
    return done;
  };
  try {
    for await (const item of items) {
      if (item.kind === 'record') {
        batch.records.push(item.record);
        if (item.guest) batch.guestOrders++;
      } else {
        batch.rejects.push(item.rejection);
      }
      if (batch.records.length >= batchSize || batch.rejects.length >= batchSize) yield take();
    }
    yield take();
  } finally {
    await csv.close();
  }
}

/**
 * Parses a file of `kind` in `format` into batches of records valid against the API's input schemas
 * and rejections with line, column and reason. Streams: memory does not grow with the file (beyond the
 * ids of orders already read, see groupRows). Missing columns or an unsupported kind/format fail with
 * IMPORT_FAILED before any batch.
 */
export async function* parseRecordFile(
  input: CsvInput,
  kind: ImportKind,
  format: FileFormat,
  options: ParseOptions,
  batchSize = DEFAULT_BATCH_SIZE,
): AsyncGenerator<ParsedBatch> {
  if (format === 'cdnow') {
    if (kind !== 'orders') throw new ComebackError('IMPORT_FAILED', `the cdnow format has no ${kind}`);
    yield* parseCdnowRecords(input, options, batchSize);
    return;
  }
  const parser = CSV_PARSERS[kind][format];
  if (!parser) {
    const formats = Object.keys(CSV_PARSERS[kind]).join(', ');
    throw new ComebackError(
      'IMPORT_FAILED',
      `${kind} cannot be imported from the ${format} format (use ${formats})`,
    );
  }
  const csv = await openCsv(input, options.delimiter);
  yield* toBatches(csv, parser(csv, options), batchSize);
}

/** Orders (and the refunds and consents that come with them) from a file; see parseRecordFile. */
export function parseOrderFile(
  input: CsvInput,
  format: FileFormat,
  options: ParseOptions,
  batchSize = DEFAULT_BATCH_SIZE,
): AsyncIterable<ParsedBatch> {
  return parseRecordFile(input, 'orders', format, options, batchSize);
}
