import { describe, expect, it } from 'vitest';
import { readFixtureBytes } from '../../../test/fixtures/read-fixture-bytes.ts';
import { cdnowDay, parseCdnowRecords, parseCdnowTransactions } from './cdnow.ts';
import type { ParsedBatch } from './types.ts';

const options = { decimalComma: false, defaultCurrency: 'USD' };
const sample = readFixtureBytes('CDNOW_sample.txt');
const enc = new TextEncoder();

async function collect(batches: AsyncIterable<ParsedBatch>): Promise<ParsedBatch[]> {
  const out: ParsedBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

function* chunksOf(bytes: Uint8Array, sizes: number[]): Generator<Uint8Array> {
  let pos = 0;
  let k = 0;
  while (pos < bytes.length) {
    const size = sizes[k++ % sizes.length];
    yield bytes.subarray(pos, pos + size);
    pos += size;
  }
}

describe('cdnowDay', () => {
  it('counts days from 1970-01-01 and refuses impossible dates', () => {
    expect(cdnowDay(19700101)).toBe(0);
    expect(cdnowDay(19970930)).toBe(Date.UTC(1997, 8, 30) / 86_400_000);
    expect(cdnowDay(20000229)).toBe(Date.UTC(2000, 1, 29) / 86_400_000);
    expect(cdnowDay(19990229)).toBeNull();
    expect(cdnowDay(19971301)).toBeNull();
  });
});

describe('parseCdnowTransactions', () => {
  it('reads the CDNOW sample: 6,919 rows, 2,357 customers, amounts in cents, days at 00:00Z', () => {
    const cols = parseCdnowTransactions(sample, options);
    expect(cols.length).toBe(6919);
    expect(cols.rowsRead).toBe(6919);
    expect(cols.rejects).toEqual([]);
    expect(cols.customerIds.length).toBe(2357);
    expect(cols.customerIds[0]).toBe('00004'); // master id by default
    expect(cols.timeMs[0]).toBe(Date.UTC(1997, 0, 1));
    expect(cols.amountMinor[0]).toBe(2933);
    expect(cols.currency).toBe('USD');
    const bySample = parseCdnowTransactions(sample, { ...options, idColumn: 'sample' });
    expect(bySample.customerIds[0]).toBe('0001');
  });
  it('reads the master layout with its header, LF or CRLF, keeps 007 and 7 apart, rejects bad rows', () => {
    const text = [
      ' customer_id  date number_of_cds  dollar_value',
      ' 00001 19970101  1   11.77',
      ' 1 19970102  2   5',
      ' 00001 19970230  1   1.00',
      ' A-17 19970105  0   0.005',
      ' 00002 19970106  x   1.00',
      ' 00002 19970106  1   1.0.0',
      ' 00002 19970106  1',
      '',
    ];
    for (const eol of ['\n', '\r\n']) {
      const cols = parseCdnowTransactions(enc.encode(text.join(eol)), options);
      expect(cols.customerIds).toEqual(['00001', '1', 'A-17']);
      expect(Array.from(cols.amountMinor)).toEqual([1177, 500, 1]);
      expect(cols.rowsRead).toBe(7);
      expect(cols.rejects.map((r) => [r.line, r.column])).toEqual([
        [4, 'date'],
        [6, 'number_of_cds'],
        [7, 'dollar_value'],
        [8, null],
      ]);
    }
  });
  it('reads decimal commas when asked', () => {
    const cols = parseCdnowTransactions(enc.encode('1 19970101 1 11,77\n'), {
      ...options,
      decimalComma: true,
    });
    expect(cols.amountMinor[0]).toBe(1177);
  });
});

describe('parseCdnowRecords', () => {
  it('yields one order per row with stable per-day ids, however the file is chunked', async () => {
    const text = '00004 19970101 2 29.33\r\n00004 19970101 3 10.00\r\n00007 19970105 0 12.50\r\n';
    for (const sizes of [[1], [5, 17], [1000]]) {
      const batches = await collect(parseCdnowRecords(chunksOf(enc.encode(text), sizes), options, 2));
      const records = batches.flatMap((b) => b.records);
      expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
      const orders = records.map((r) => r.value);
      expect(orders[0]).toEqual({
        external_id: '00004-19970101-1',
        customer: { external_id: '00004' },
        placed_at: '1997-01-01T00:00:00Z',
        currency: 'USD',
        lines: [{ title: 'CDs', quantity: 1, unit_price_minor: 2933 }], // 2933 is odd: 1 × 2933
        total_minor: 2933,
      });
      expect(orders[1]).toMatchObject({
        external_id: '00004-19970101-2',
        lines: [{ title: 'CDs', quantity: 1, unit_price_minor: 1000 }], // 1000 ÷ 3 is not whole
      });
      expect(orders[2]).toMatchObject({
        external_id: '00007-19970105-1',
        lines: [{ quantity: 1, unit_price_minor: 1250 }],
      });
      expect(batches.at(-1)!.rowsRead).toBe(3);
      expect(batches.at(-1)!.bytesRead).toBe(text.length);
    }
  });
  it('splits the amount over the CDs when it divides evenly', async () => {
    const [batch] = await collect(parseCdnowRecords(['1 19970101 4 12.00\n'], options));
    expect(batch.records[0].value).toMatchObject({
      lines: [{ quantity: 4, unit_price_minor: 300 }],
      total_minor: 1200,
    });
  });
  it('rejects bad rows with line, column and reason, and agrees with the columnar reader on the sample', async () => {
    const bad = await collect(
      parseCdnowRecords(['1 19970101 1 1.00\n1 1997011 1 1.00\n1 19970101 1 -2\n'], options),
    );
    expect(bad.flatMap((b) => b.rejects).map((r) => [r.line, r.column])).toEqual([
      [2, 'date'],
      [3, 'dollar_value'],
    ]);
    const batches = await collect(parseCdnowRecords(chunksOf(sample, [65536]), options));
    const orders = batches.flatMap((b) => b.records);
    expect(orders.length).toBe(6919);
    const cols = parseCdnowTransactions(sample, options);
    let sum = 0;
    for (const a of cols.amountMinor) sum += a;
    expect(orders.reduce((s, r) => s + ((r.value as { total_minor: number }).total_minor ?? 0), 0)).toBe(sum);
    expect(new Set(orders.map((r) => (r.value as { external_id: string }).external_id)).size).toBe(6919);
  });
});
