/** Number, money and date formatting: one locale, thousands separators, the store's currency. */

import type { Address } from './types.ts';

const LOCALE = 'en-US';
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

export function fmtInt(n: number | null | undefined): string {
  return n == null || !Number.isFinite(n) ? '–' : integer.format(n);
}

export function fmtNumber(n: number | null | undefined, digits = 1): string {
  if (n == null || !Number.isFinite(n)) return '–';
  return new Intl.NumberFormat(LOCALE, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(n);
}

/** 0.6652 → "66.5%". */
export function fmtPercent(rate: number | null | undefined, digits = 1): string {
  if (rate == null || !Number.isFinite(rate)) return '–';
  return new Intl.NumberFormat(LOCALE, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(rate);
}

const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string, digits?: number): Intl.NumberFormat {
  const key = `${currency}/${digits ?? ''}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE, {
      style: 'currency',
      currency,
      ...(digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits }),
    });
    moneyFormats.set(key, f);
  }
  return f;
}

/** Digits after the decimal point of a currency's minor unit (EUR 2, JPY 0). */
export function minorDigits(currency: string): number {
  return moneyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Money in major units (the store report): "€1,234.50"; `whole` drops the cents. */
export function fmtMoney(major: number | null | undefined, currency: string, whole = false): string {
  if (major == null || !Number.isFinite(major)) return '–';
  return moneyFormat(currency, whole ? 0 : undefined).format(major);
}

/** Money in minor units (customer records): 123450 → "€1,234.50". */
export function fmtMoneyMinor(minor: number | null | undefined, currency: string, whole = false): string {
  if (minor == null || !Number.isFinite(minor)) return '–';
  return fmtMoney(minor / 10 ** minorDigits(currency), currency, whole);
}

const dateFormat = new Intl.DateTimeFormat(LOCALE, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const monthFormat = new Intl.DateTimeFormat(LOCALE, { year: 'numeric', month: 'short', timeZone: 'UTC' });

export function fmtDate(iso: string | null | undefined): string {
  return iso ? dateFormat.format(new Date(iso)) : '–';
}

export function fmtDateTime(iso: string | null | undefined): string {
  return iso ? dateTimeFormat.format(new Date(iso)) : '–';
}

/** "2024-11" → "Nov 2024". */
export function fmtMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return monthFormat.format(new Date(Date.UTC(y, m - 1, 1)));
}

/** "3 days ago", "in 2 months". */
export function fmtRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'auto' });
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['year', 365 * 86400],
    ['month', 30 * 86400],
    ['week', 7 * 86400],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds), 'second');
}

/** "1 customer", "1,204 customers". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${fmtInt(n)} ${n === 1 ? singular : plural}`;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * A postal address as the lines of a label, in its country's order: "City, ST 12345" in the US and
 * Canada, "City ST 1234" in Australia, the postcode on a line of its own in Britain, else
 * "postcode city"; then the country's name.
 */
export function addressLines(a: Address): string[] {
  const join = (parts: (string | null)[], sep = ' ') => parts.filter(Boolean).join(sep);
  const place: (string | null)[] =
    a.country === 'US' || a.country === 'CA'
      ? [join([join([a.city, a.region], ', '), a.postal_code])]
      : a.country === 'AU'
        ? [join([a.city, a.region, a.postal_code])]
        : a.country === 'GB'
          ? [a.city, a.region, a.postal_code]
          : [join([a.postal_code, a.city]), a.region];
  const country = a.country ? (regionNames.of(a.country) ?? a.country) : null;
  return [a.line1, a.line2, ...place, country].filter((l): l is string => !!l);
}

export function fullName(c: {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
}): string {
  const name = [c.first_name, c.last_name].filter(Boolean).join(' ');
  return name || c.email || 'Unnamed customer';
}
