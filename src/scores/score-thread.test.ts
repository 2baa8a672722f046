import { describe, expect, it } from 'vitest';
import { readFixtureBytes } from '../../test/fixtures/read-fixture-bytes.ts';
import { type ScoreStoreOptions, scoreStore } from '../analytics/score-store.ts';
import { parseCdnowTransactions } from '../orders/formats/cdnow.ts';
import { scoreStoreOffThread } from './score-thread.ts';

const options: ScoreStoreOptions = {
  asOf: Date.UTC(1998, 5, 30),
  timeUnit: 'week',
  horizon: 52,
  discountRate: 0.01,
  sleepingFactor: 3,
  model: 'bgnbd',
  fitParetoNbd: false,
};

describe('scoreStoreOffThread', () => {
  const columns = parseCdnowTransactions(readFixtureBytes('CDNOW_sample.txt'), {
    decimalComma: false,
    defaultCurrency: 'USD',
  });

  it('gives exactly what scoreStore gives in-process, reasons included, and reports its steps', async () => {
    const inProcess = scoreStore(columns, options);
    const steps: string[] = [];
    const offThread = await scoreStoreOffThread(columns, options, (s) => steps.push(s));
    const { describe: describeHere, ...here } = inProcess.customers;
    const { describe: describeThere, ...there } = offThread.customers;
    expect(there).toEqual(here);
    expect(offThread.models).toEqual(inProcess.models);
    expect(offThread.summary).toEqual(inProcess.summary);
    for (const i of [0, 1, 17, here.count - 1]) expect(describeThere(i)).toBe(describeHere(i));
    expect(steps.length).toBeGreaterThan(0);
    // The caller's columns stay usable (they are copied to the thread, not moved).
    expect(columns.customerIndex.length).toBe(columns.length);
  });

  it('rejects with the error thrown in the thread', async () => {
    await expect(scoreStoreOffThread(columns, { ...options, horizon: 0 })).rejects.toThrow(
      'the horizon must be positive',
    );
  });
});
