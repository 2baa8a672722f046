import { parentPort, workerData } from 'node:worker_threads';
import { scoreStore } from '../analytics/score-store.ts';
import type { TransactionColumns } from '../orders/formats/types.ts';
import type { ThreadMessage, ThreadOptions } from './score-thread.ts';

/** The thread's work: score the store, turn the per-customer reasons into text, send it all back. */
const port = parentPort;
if (!port) throw new Error('score-thread-main runs only as a worker thread');
const { columns, options } = workerData as { columns: TransactionColumns; options: ThreadOptions };
const scores = scoreStore(columns, {
  ...options,
  onProgress: (step) => port.postMessage({ kind: 'progress', step } satisfies ThreadMessage),
});
const { describe, ...customers } = scores.customers;
const reasons = Array.from({ length: customers.count }, (_, i) => describe(i));
// The typed arrays move to the parent without a copy.
const buffers = Object.values(customers)
  .filter((v): v is Float64Array | Int32Array | Uint8Array => ArrayBuffer.isView(v))
  .map((v) => v.buffer as ArrayBuffer);
port.postMessage(
  { kind: 'done', scores: { ...scores, customers: { ...customers, reasons } } } satisfies ThreadMessage,
  [...new Set(buffers)],
);
