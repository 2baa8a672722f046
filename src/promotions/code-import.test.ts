import { describe, expect, it } from 'vitest';
import { checkImportedCodes } from './code-import.ts';

describe('checkImportedCodes', () => {
  it('normalises codes and keeps the optional fields, empty cells as null', () => {
    const r = checkImportedCodes(
      [
        { code: ' old-123 ', customer_id: 'c-1', balance_minor: '2500', expires_at: '2026-12-31T23:59:59Z' },
        { code: 'OLD124', customer_id: '', balance_minor: '', expires_at: '' },
      ],
      2,
    );
    expect(r.problems).toEqual([]);
    expect(r.codes).toEqual([
      { line: 2, code: 'OLD123', customerRef: 'c-1', balanceMinor: 2500, expiresAt: '2026-12-31T23:59:59Z' },
      { line: 3, code: 'OLD124', customerRef: null, balanceMinor: null, expiresAt: null },
    ]);
  });

  it('reports every problem with its line and field: no code, duplicates, bad balance, bad time', () => {
    const r = checkImportedCodes(
      [
        { code: 'A-1' },
        { code: ' ' },
        { code: 'a1' },
        { code: 'B2', balance_minor: '12.50' },
        { code: 'C3', expires_at: '31/12/2026' },
        { code: 'D4', balance_minor: -1 },
      ],
      2,
    );
    expect(r.problems).toEqual([
      { line: 3, field: 'code', message: 'no code' },
      { line: 4, field: 'code', message: 'A1 is on line 2 already' },
      { line: 5, field: 'balance_minor', message: expect.stringContaining('whole number') },
      { line: 6, field: 'expires_at', message: expect.stringContaining('ISO-8601') },
      { line: 7, field: 'balance_minor', message: expect.stringContaining('whole number') },
    ]);
    expect(r.codes.map((c) => c.code)).toEqual(['A1']);
  });
});
