import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBar, formatImportReport } from './progress.ts';
import type { ImportReport } from './run-import.ts';

const report: ImportReport = {
  kind: 'orders',
  format: 'online-retail',
  dryRun: false,
  rowsRead: 1_067_371,
  records: 69_659,
  created: 69_659,
  updated: 0,
  unchanged: 0,
  rejected: 12,
  guestOrders: 1_234,
  customers: 23_570,
  orders: 65_000,
  refunds: 4_659,
  products: 0,
  durationMs: 41_500,
  rejectsPath: '/data/online_retail_II.rejects.csv',
  rejections: [{ line: 7, column: 'Price', reason: 'price 0: not a sale', raw: null }],
};

describe('formatImportReport', () => {
  it('prints one figure per line with thousands separators, then rejections and the rejects file', () => {
    expect(formatImportReport(report)).toBe(
      [
        'Import of orders (online-retail format)',
        'rows read       1,067,371',
        'records            69,659',
        'created            69,659',
        'updated                 0',
        'unchanged               0',
        'rejected               12',
        'customers          23,570',
        'orders             65,000',
        'refunds             4,659',
        'guest orders        1,234',
        'time                 42 s',
        '',
        'Rejected (first 1 of 12):',
        '  line 7, column Price: price 0: not a sale',
        '',
        'All rejections: /data/online_retail_II.rejects.csv',
      ].join('\n'),
    );
  });

  it('says so in a dry run, and "created 0" reads as zero', () => {
    const text = formatImportReport({
      ...report,
      dryRun: true,
      created: 0,
      rejections: [],
      rejectsPath: null,
    });
    expect(text.split('\n')[0]).toBe('Import of orders (online-retail format) — dry run, nothing written');
    expect(text).toContain('would import       69,659');
    expect(text).toMatch(/created[^0-9]*0\b/);
    expect(formatImportReport(report)).not.toMatch(/created[^0-9]*0\b/);
  });
});

describe('createProgressBar', () => {
  const progress = { rowsRead: 10, bytesRead: 50, totalBytes: 100, records: 9, rejected: 1 };

  function sink(isTTY: boolean) {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    Object.assign(stream, {
      isTTY,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    return { stream, chunks };
  }

  it('is silent when stderr is not a terminal', () => {
    const { stream, chunks } = sink(false);
    const bar = createProgressBar(stream);
    bar.update(progress);
    bar.stop();
    expect(chunks).toEqual([]);
  });

  it('draws rows, rows/s and an ETA from bytes on a terminal', () => {
    const { stream, chunks } = sink(true);
    let t = 0;
    const bar = createProgressBar(stream, () => (t += 2000));
    bar.update(progress);
    bar.stop();
    expect(chunks.join('')).toMatch(/50% \| 10 rows \| 5 rows\/s \| 1 rejected \| ETA/);
  });
});
