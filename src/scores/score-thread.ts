import { Worker } from 'node:worker_threads';
import type { CustomerScores, ScoreStoreOptions, StoreScores } from '../analytics/score-store.ts';
import type { TransactionColumns } from '../orders/formats/types.ts';

/** What the thread sends back: the scores with each customer's reason as text (functions do not cross threads). */
export type ThreadMessage =
  | { kind: 'progress'; step: string }
  | { kind: 'done'; scores: Omit<StoreScores, 'customers'> & { customers: ThreadCustomerScores } };

export type ThreadCustomerScores = Omit<CustomerScores, 'describe'> & { reasons: string[] };

/** The options that can be sent to a thread (the callbacks stay here). */
export type ThreadOptions = Omit<ScoreStoreOptions, 'onProgress' | 'timer'>;

/**
 * Runs scoreStore on a worker thread: a large store's fits and scoring take seconds of CPU, and the
 * server's event loop (API requests, other jobs) must not wait for them. Progress steps come back
 * through onProgress; an error in the thread rejects.
 */
export function scoreStoreOffThread(
  columns: TransactionColumns,
  options: ThreadOptions,
  onProgress?: (step: string) => void,
): Promise<StoreScores> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./score-thread-entry.js', import.meta.url), {
      workerData: { columns, options },
    });
    let settled = false;
    worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'progress') {
        onProgress?.(message.step);
        return;
      }
      settled = true;
      const { reasons, ...customers } = message.scores.customers;
      resolve({ ...message.scores, customers: { ...customers, describe: (i: number) => reasons[i] } });
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the scoring thread stopped (exit code ${code}) before it finished`));
    });
  });
}
