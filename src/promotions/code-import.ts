/**
 * Codes brought from another system: each line checked on its own (the code normalised, a
 * balance, an expiry, a customer), duplicates within the list found, every problem reported with
 * its line so the whole list can be fixed in one go. Pure: the repository checks the store.
 */
import { normalizeCode } from './codes.ts';

/** One line as sent; every field is text (a CSV cell) or the JSON value. */
export interface ImportedCodeLine {
  code?: unknown;
  customer_id?: unknown;
  balance_minor?: unknown;
  expires_at?: unknown;
}

/** A line that passed. `customerRef` is our id or the store's external id, resolved later. */
export interface ImportedCode {
  line: number;
  code: string;
  customerRef: string | null;
  balanceMinor: number | null;
  expiresAt: string | null;
}

export interface LineProblem {
  line: number;
  field: 'code' | 'customer_id' | 'balance_minor' | 'expires_at';
  message: string;
}

const MAX_CODE_LENGTH = 100;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/**
 * Checks imported lines; numbers lines from `firstLine` (2 for a CSV with a header row).
 * @example checkImportedCodes([{ code: 'a-1' }, { code: 'A1' }]).problems
 * // [{ line: 2, field: 'code', message: 'A1 is on line 1 already' }]
 */
export function checkImportedCodes(
  lines: readonly ImportedCodeLine[],
  firstLine = 1,
): { codes: ImportedCode[]; problems: LineProblem[] } {
  const codes: ImportedCode[] = [];
  const problems: LineProblem[] = [];
  const seen = new Map<string, number>();
  lines.forEach((l, i) => {
    const line = firstLine + i;
    const before = problems.length;
    const raw = text(l.code);
    const code = raw === null ? '' : normalizeCode(raw);
    if (code === '') problems.push({ line, field: 'code', message: 'no code' });
    else if (code.length > MAX_CODE_LENGTH)
      problems.push({ line, field: 'code', message: `longer than ${MAX_CODE_LENGTH} characters` });
    else if (seen.has(code))
      problems.push({ line, field: 'code', message: `${code} is on line ${seen.get(code)} already` });
    else seen.set(code, line);
    const balance = text(l.balance_minor);
    let balanceMinor: number | null = null;
    if (balance !== null) {
      const n = Number(balance);
      if (!/^\d+$/.test(balance) || !Number.isSafeInteger(n))
        problems.push({
          line,
          field: 'balance_minor',
          message: 'must be a whole number of minor units (1250 = 12.50)',
        });
      else balanceMinor = n;
    }
    const expires = text(l.expires_at);
    if (expires !== null && (!ISO_INSTANT.test(expires) || Number.isNaN(Date.parse(expires))))
      problems.push({
        line,
        field: 'expires_at',
        message: 'must be an ISO-8601 time with an offset (2026-12-31T23:59:59Z)',
      });
    const customerRef = text(l.customer_id);
    if (customerRef !== null && customerRef.length > 255)
      problems.push({ line, field: 'customer_id', message: 'longer than 255 characters' });
    if (problems.length === before) codes.push({ line, code, customerRef, balanceMinor, expiresAt: expires });
  });
  return { codes, problems };
}
