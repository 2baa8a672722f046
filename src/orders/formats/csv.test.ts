import { describe, expect, it } from 'vitest';
import { type CsvRow, detectDelimiter, groupRows, Header, openCsv, type RowGroup } from './csv.ts';
import type { RowRejection } from './types.ts';

/** The text as chunks of `size` bytes: boundaries fall mid-line and mid-character. */
async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(text: string, size = 5) {
  const csv = await openCsv(chunks(text, size));
  const rows = [];
  for await (const row of csv.rows) rows.push(row);
  return { delimiter: csv.delimiter, header: csv.header.names, rows, stats: csv.stats };
}

describe('openCsv', () => {
  it('strips the BOM, reads CRLF, quoted newlines and multi-byte text split across chunks, with start lines', async () => {
    const text = '\uFEFFid;name;note\r\n1;"Müsli\r\nmix";a\r\n\r\n2;Käse;"x ""y"""\r\n;;\r\n3;"p\nq\nr";z';
    expect(await readAll(text, 3)).toEqual({
      delimiter: ';',
      header: ['id', 'name', 'note'],
      rows: [
        { line: 2, fields: ['1', 'Müsli\r\nmix', 'a'] },
        { line: 5, fields: ['2', 'Käse', 'x "y"'] },
        { line: 7, fields: ['3', 'p\nq\nr', 'z'] },
      ],
      stats: { rowsRead: 3, bytesRead: Buffer.byteLength(text) },
    });
  });

  it('reports an unclosed quote as a malformed stretch at the line it starts on', async () => {
    const { rows } = await readAll('a,b\n1,2\n3,"oops\n4,5\n');
    expect(rows).toEqual([
      { line: 2, fields: ['1', '2'] },
      { line: 3, reason: 'a quote opened here is never closed: the rest of the file could not be read' },
    ]);
  });

  it('keeps a stray quote inside an unquoted field and tolerates short rows', async () => {
    const { rows } = await readAll('a,b,c\n5" pipe,2\n');
    expect(rows).toEqual([{ line: 2, fields: ['5" pipe', '2'] }]);
  });

  it('fails on an empty file', async () => {
    await expect(openCsv(chunks('', 4))).rejects.toThrow('the file is empty');
  });
});

describe('detectDelimiter and Header', () => {
  it('detects , ; or tab from the header line, ignoring quoted text', () => {
    expect(detectDelimiter('a;b;c\n1,2,3,4,5')).toBe(';');
    expect(detectDelimiter('"a;b";c,d,e')).toBe(',');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('single')).toBe(',');
  });

  it('finds columns regardless of case, spaces, underscores and dashes', () => {
    const header = new Header(['Customer ID', ' E-Mail ', 'InvoiceNo']);
    expect(header.column('customer_id')).toEqual({ index: 0, name: 'Customer ID' });
    expect(header.column('CustomerID')).toEqual({ index: 0, name: 'Customer ID' });
    expect(header.column('email')).toEqual({ index: 1, name: 'E-Mail' });
    expect(header.column('Invoice', 'invoice_no')).toEqual({ index: 2, name: 'InvoiceNo' });
    expect(header.column('sku')).toBeNull();
  });
});

describe('groupRows', () => {
  const header = new Header(['order', 'sku']);
  const row = (line: number, order: string, sku: string): CsvRow => ({ line, fields: [order, sku] });
  async function group(rows: CsvRow[], window: number) {
    async function* source() {
      yield* rows;
    }
    const out: Array<RowGroup | Omit<RowRejection, 'raw'>> = [];
    const opts = {
      window,
      maxRows: 2,
      keyColumn: { index: 0, name: 'order' },
      keyOf: (r: CsvRow) => r.fields[0],
      header,
    };
    for await (const g of groupRows(source(), opts)) {
      if ('line' in g) {
        const { raw: _, ...rest } = g;
        out.push(rest);
      } else out.push(g);
    }
    return out;
  }

  it('keeps an order together, drops an identical repeat and rejects rows of an order already closed', async () => {
    const rows = [row(2, 'A', 'x'), row(3, 'A', 'x'), row(4, 'B', 'y'), row(5, 'A', 'z'), row(6, '', 'q')];
    expect(await group(rows, 1)).toEqual([
      { line: 3, column: null, reason: 'duplicate of line 2 (identical row in order A); kept once' },
      { key: 'A', rows: [row(2, 'A', 'x')] },
      {
        line: 5,
        column: 'order',
        reason: "order A was already read from line 2; an order's rows must be together in the file",
      },
      { line: 6, column: 'order', reason: 'order is empty' },
      { key: 'B', rows: [row(4, 'B', 'y')] },
    ]);
  });

  it('merges rows of an order interleaved within the window, and caps rows per order', async () => {
    const rows = [row(2, 'A', 'x'), row(3, 'B', 'y'), row(4, 'A', 'z'), row(5, 'A', 'w')];
    expect(await group(rows, 2)).toEqual([
      { line: 5, column: 'order', reason: 'order A has more than 2 rows' },
      { key: 'A', rows: [row(2, 'A', 'x'), row(4, 'A', 'z')] },
      { key: 'B', rows: [row(3, 'B', 'y')] },
    ]);
  });
});
