/** Money is integer minor units (cents) plus an ISO 4217 currency; never floats. */
export interface Money {
  amountMinor: number;
  currency: string;
}

/** Digits after the decimal point per currency; ISO 4217 exponents, default 2. */
const MINOR_DIGITS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency.toUpperCase()] ?? 2;
}

/**
 * Parses a decimal amount written in major units ("1,234.50", "12,5" with decimalComma) into
 * minor units, exactly (no float arithmetic). Returns null when the text is not a number.
 * @example toMinorUnits('19.99', 'EUR') === 1999
 */
export function toMinorUnits(text: string, currency: string, decimalComma = false): number | null {
  let s = text.trim().replace(/[\s\u00a0']/g, '');
  if (s === '') return null;
  s = decimalComma ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  s = s.replace(/^[^\d+\-.]+/, ''); // currency symbols in front ($12.00)
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const digits = minorDigits(currency);
  const frac = (m[3] ?? '').padEnd(digits + 1, '0');
  const whole = Number(m[2] || '0') * 10 ** digits + Number(frac.slice(0, digits) || '0');
  // round half away from zero on the first dropped digit
  const rounded = whole + (Number(frac[digits]) >= 5 ? 1 : 0);
  if (!Number.isSafeInteger(rounded)) return null;
  return m[1] === '-' ? -rounded : rounded;
}

/** Formats minor units as a plain decimal string in major units: 1999 → "19.99". */
export function formatMinor(amountMinor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(amountMinor);
  if (digits === 0) return `${sign}${abs}`;
  const s = String(abs).padStart(digits + 1, '0');
  return `${sign}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/**
 * Splits `totalMinor` into parts proportional to `weights` by the largest-remainder method: the
 * parts always add up to the total exactly, and ties go to the earlier weight.
 * @example prorate(100, [1, 1, 1]) → [34, 33, 33]
 */
export function prorate(totalMinor: number, weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  const sumW = weights.reduce((a, w) => a + Math.max(0, w), 0);
  if (sumW === 0) {
    const parts = new Array<number>(n).fill(0);
    parts[0] = totalMinor;
    return parts;
  }
  const sign = totalMinor < 0 ? -1 : 1;
  const total = Math.abs(totalMinor);
  const parts = new Array<number>(n);
  const remainders: Array<[number, number]> = [];
  let assigned = 0;
  for (let i = 0; i < n; i++) {
    const exact = (total * Math.max(0, weights[i])) / sumW;
    parts[i] = Math.floor(exact);
    assigned += parts[i];
    remainders.push([exact - parts[i], i]);
  }
  remainders.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (let k = 0; k < total - assigned; k++) parts[remainders[k][1]] += 1;
  return sign < 0 ? parts.map((p) => -p) : parts;
}
