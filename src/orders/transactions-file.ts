/**
 * Reads an order file straight into the analytics core's transaction columns (no database):
 * the I/O shell around the pure parsers, used by `comeback analyze` and the benchmark.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type CdnowOptions, parseCdnowTransactions } from './formats/cdnow.ts';
import type { TransactionColumnsRead } from './formats/transaction-columns.ts';
import type { FileFormat, TransactionColumns } from './formats/types.ts';

export type ReadTransactionsOptions = CdnowOptions;

/**
 * The file at `path` in `format` as transaction columns. CDNOW files are read whole and scanned
 * as bytes (the fast path: millions of rows per second); the CSV formats stream through the
 * import parsers (`parseOrderFile`) and are collected into columns, one entry per order or
 * refund, guests counted but left out.
 * @example await readTransactionColumns('CDNOW_master.txt', 'cdnow', { decimalComma: false, defaultCurrency: 'USD' })
 */
export async function readTransactionColumns(
  path: string,
  format: FileFormat,
  options: ReadTransactionsOptions,
): Promise<TransactionColumns & Partial<Pick<TransactionColumnsRead, 'guestOrders' | 'guestRefunds'>>> {
  if (format === 'cdnow') return parseCdnowTransactions(await readFile(path), options);
  // loaded on demand: the CSV parsers (csv-parse, zod schemas) cost ~0.3 s of start-up that CDNOW does not need
  const { parseOrderFile } = await import('./formats/parse-order-file.ts');
  const { transactionsFromBatches } = await import('./formats/transaction-columns.ts');
  const columns = await transactionsFromBatches(parseOrderFile(createReadStream(path), format, options));
  return { ...columns, currency: columns.currency || options.defaultCurrency.toUpperCase() };
}
