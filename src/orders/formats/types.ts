import type { CustomerInput } from '../../customers/schemas.ts';
import type { OrderInput, ProductInput, RefundInput } from '../schemas.ts';

/** File layouts `comeback import` and `comeback analyze` read. */
export const FILE_FORMATS = ['generic', 'shopify', 'online-retail', 'cdnow'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const IMPORT_KINDS = ['orders', 'customers', 'products'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** How numbers in a file are written: `en` 1,234.50; `de` 1.234,50 (decimal comma). */
export interface ParseOptions {
  decimalComma: boolean;
  /** Currency when the file has none (CDNOW, Online Retail). */
  defaultCurrency: string;
  /** CSV delimiter; detected from the header line when undefined. */
  delimiter?: string;
}

/** A row the parser could not use: which line (1-based, as an editor shows it), which column, why. */
export interface RowRejection {
  line: number;
  column: string | null;
  reason: string;
  /** The raw record, for the .rejects.csv. */
  raw: Record<string, string> | string[] | null;
}

/**
 * What parsers yield: records in the API's own input shapes (so files and the REST API share one
 * validation and one ingestion path), each with the source line it started on.
 */
export type ParsedRecord =
  | { type: 'order'; line: number; value: OrderInput }
  | { type: 'refund'; line: number; value: RefundInput }
  | { type: 'customer'; line: number; value: CustomerInput }
  | { type: 'product'; line: number; value: ProductInput };

export interface ParsedBatch {
  records: ParsedRecord[];
  rejects: RowRejection[];
  /** Rows of the file consumed so far (data rows, header excluded). */
  rowsRead: number;
  /** Guest orders seen in this batch (no customer id): counted, not attached. */
  guestOrders: number;
  /** Bytes of the file consumed so far, for progress and ETA. */
  bytesRead: number;
}

/**
 * Columnar transactions for the analytics core (no per-row objects): one entry per purchase row,
 * customers as dense indexes into `customerIds`.
 */
export interface TransactionColumns {
  customerIds: string[];
  customerIndex: Int32Array;
  /** Purchase instant, epoch milliseconds (UTC). */
  timeMs: Float64Array;
  /** Spend in minor units (refunds negative). */
  amountMinor: Float64Array;
  length: number;
  currency: string;
  rowsRead: number;
  rejects: RowRejection[];
}
