import { countryCode } from '../../kernel/country.ts';
import { toMinorUnits } from '../../kernel/money.ts';
import { ORDER_STATUSES } from '../schemas.ts';

/** A cell read as a typed value, or why it could not be (a reason a store owner can act on). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

/**
 * Strips currency symbols and spacing around a number and checks its separators against the locale:
 * a thousands separator must sit between groups of three digits, so "12,5" read with `en` (or "12.50"
 * with `de`) is refused instead of silently becoming 125 or 1250.
 */
const PLAIN_POINT = /^-?\d+(?:\.\d+)?$/;
const PLAIN_COMMA = /^-?\d+(?:,\d+)?$/;

function cleanNumber(text: string, decimalComma: boolean, noun: string): Parsed<string> {
  // Most cells are plain ("12.50"): skip the clean-up below for them.
  if (decimalComma ? PLAIN_COMMA.test(text) : PLAIN_POINT.test(text)) {
    return ok(decimalComma ? text.replace(',', '.') : text);
  }
  const s = text
    .trim()
    .replace(/[\s\u00a0']/g, '')
    .replace(/^[^\d+\-.,]+/, '')
    .replace(/[^\d.,]+$/, '');
  const sign = /^[+-]/.test(s) ? s[0] : '';
  const body = sign ? s.slice(1) : s;
  const [dec, group] = decimalComma ? [',', '.'] : ['.', ','];
  const parts = body.split(dec);
  if (body === '' || parts.length > 2 || !/^[\d.,]+$/.test(body)) return fail(`"${text}" is not ${noun}`);
  const [whole, frac = ''] = parts;
  if (frac.includes(group)) return fail(`"${text}" is not ${noun}`);
  if (whole.includes(group) && !new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(whole)) {
    const locale = decimalComma ? 'de (1.234,50)' : 'en (1,234.50)';
    return fail(`"${text}" does not fit the locale ${locale}; is --locale right?`);
  }
  return ok(`${sign}${whole.split(group).join('')}${parts.length === 2 ? `.${frac}` : ''}`);
}

/** An amount in major units ("1.234,50" with decimalComma) as integer minor units; may be negative. */
export function parseMoney(text: string, currency: string, decimalComma: boolean): Parsed<number> {
  const clean = cleanNumber(text, decimalComma, 'an amount');
  if (!clean.ok) return clean;
  const minor = toMinorUnits(clean.value, currency, false);
  return minor === null ? fail(`"${text}" is not an amount`) : ok(minor);
}

/** `parsed`, or a failure when its value is negative (amounts and counts that cannot be). */
export function nonNegative(parsed: Parsed<number>, text: string): Parsed<number> {
  return parsed.ok && parsed.value < 0 ? { ok: false, reason: `"${text}" is negative` } : parsed;
}

/** A whole number ("3", "3.0", "1,000" with en); may be negative. */
export function parseWholeNumber(text: string, decimalComma: boolean): Parsed<number> {
  if (/^-?\d{1,15}$/.test(text)) return ok(Number(text));
  const clean = cleanNumber(text, decimalComma, 'a whole number');
  if (!clean.ok) return clean;
  const m = /^([+-]?)(\d+)(?:\.0*)?$/.exec(clean.value);
  if (!m) return fail(`"${text}" is not a whole number`);
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n)) return fail(`"${text}" is too large`);
  return ok(m[1] === '-' ? -n : n);
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, mo: number, d: number): boolean {
  if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]) return false;
  return mo !== 2 || d < 29 || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
}

/** Which slash dates a format writes: `mdy` for 12/1/2010 = 1 December (US, the UCI files), or none. */
export type SlashDates = 'mdy' | 'none';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;

interface Instant {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  sec: number;
  ms: number;
  /** Minutes east of UTC; the text's offset, 0 when it has none. */
  offsetMin: number;
}

function isoInstant(m: RegExpExecArray): Instant | string {
  const off = m[8]?.toUpperCase();
  let offsetMin = 0;
  if (off && off !== 'Z' && off !== 'UTC' && off !== 'GMT') {
    const digits = off.slice(1).replace(':', '').padEnd(4, '0');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    if (minutes > 14 * 60) return 'has an impossible UTC offset';
    offsetMin = off[0] === '-' ? -minutes : minutes;
  }
  return {
    y: Number(m[1]),
    mo: Number(m[2]),
    d: Number(m[3]),
    h: Number(m[4] ?? 0),
    mi: Number(m[5] ?? 0),
    sec: Number(m[6] ?? 0),
    ms: Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000),
    offsetMin,
  };
}

function dayFirstInstant(m: RegExpExecArray): Instant {
  const [d, mo, y, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  return { y, mo, d, h, mi, sec, ms: 0, offsetMin: 0 };
}

function monthFirstInstant(m: RegExpExecArray): Instant | string {
  const [mo, d, y, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const ampm = m[7]?.toUpperCase();
  if (ampm && (h < 1 || h > 12)) return 'is not a valid time';
  const hour = ampm ? (h % 12) + (ampm === 'PM' ? 12 : 0) : h;
  return { y, mo, d, h: hour, mi, sec, ms: 0, offsetMin: 0 };
}

/**
 * A point in time as ISO 8601 UTC ("2010-12-01T08:26:00.000Z"). Reads ISO 8601 (with or without
 * offset; Shopify's "2024-01-15 10:14:00 -0400"), YYYY-MM-DD, D.M.YYYY [H:MM] and, when the format
 * says so, M/D/YYYY H:MM. Times without an offset are UTC.
 */
export function parseInstant(text: string, slash: SlashDates = 'none'): Parsed<string> {
  const s = text.trim();
  const iso = ISO.exec(s);
  const dotted = iso ? null : DOTTED.exec(s);
  const slashed = iso || dotted || slash !== 'mdy' ? null : SLASHED.exec(s);
  const t = iso
    ? isoInstant(iso)
    : dotted
      ? dayFirstInstant(dotted)
      : slashed
        ? monthFirstInstant(slashed)
        : null;
  if (t === null) {
    const expected = slash === 'mdy' ? 'YYYY-MM-DD HH:MM or M/D/YYYY H:MM' : 'ISO 8601 or YYYY-MM-DD';
    return fail(`"${text}" is not a date (expected ${expected})`);
  }
  if (typeof t === 'string') return fail(`"${text}" ${t}`);
  if (!validDate(t.y, t.mo, t.d) || t.h > 23 || t.mi > 59 || t.sec > 59)
    return fail(`"${text}" is not a valid date`);
  const utcMs = Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.sec, t.ms) - t.offsetMin * 60_000;
  return ok(new Date(utcMs).toISOString());
}

/** A calendar date as YYYY-MM-DD, from YYYY-MM-DD (time part ignored) or D.M.YYYY. */
export function parseCalendarDate(text: string): Parsed<string> {
  const s = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(s) ?? /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  if (!m) return fail(`"${text}" is not a date (expected YYYY-MM-DD)`);
  const [y, mo, d] = m[1].length === 4 ? [m[1], m[2], m[3]].map(Number) : [m[3], m[2], m[1]].map(Number);
  if (!validDate(y, mo, d)) return fail(`"${text}" is not a valid date`);
  return ok(`${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}

const TRUE_WORDS = new Set(['yes', 'y', 'true', 't', '1', 'x', 'ja', 'j', 'subscribed', 'granted', 'opt-in']);
const FALSE_WORDS = new Set(['no', 'n', 'false', 'f', '0', 'nein', 'unsubscribed', 'withdrawn', 'opt-out']);

/** yes/no, true/false, 1/0 (and ja/nein) as a boolean; an empty cell is null (not stated). */
export function parseBoolean(text: string): Parsed<boolean | null> {
  const s = text.trim().toLowerCase();
  if (s === '') return ok(null);
  if (TRUE_WORDS.has(s)) return ok(true);
  if (FALSE_WORDS.has(s)) return ok(false);
  return fail(`"${text}" is not yes or no`);
}

/** A list in one cell, split on the given separators, trimmed, empties and repeats dropped. */
export function splitList(text: string, separators: RegExp = /[;|]/): string[] {
  return [
    ...new Set(
      text
        .split(separators)
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
}

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Status words shops write, mapped onto ours (a WooCommerce "completed" order is fulfilled). */
const STATUS_WORDS: Record<string, OrderStatus> = {
  open: 'open',
  pending: 'open',
  processing: 'open',
  on_hold: 'open',
  authorized: 'open',
  partially_paid: 'open',
  unpaid: 'open',
  paid: 'paid',
  fulfilled: 'fulfilled',
  complete: 'fulfilled',
  completed: 'fulfilled',
  shipped: 'fulfilled',
  delivered: 'fulfilled',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  voided: 'cancelled',
  void: 'cancelled',
  failed: 'cancelled',
  refunded: 'refunded',
  partially_refunded: 'partially_refunded',
  partial_refund: 'partially_refunded',
};

/** An order status word ("Partially refunded", "completed") as one of ORDER_STATUSES. */
export function parseOrderStatus(text: string): Parsed<OrderStatus> {
  const key = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const status = STATUS_WORDS[key];
  return status ? ok(status) : fail(`unknown status "${text}" (use one of ${ORDER_STATUSES.join(', ')})`);
}

/** A country column's code or name as its ISO code; text that names no country is left to fail validation. */
export function countryOf(text: string | null): string | null {
  return text === null ? null : (countryCode(text) ?? text);
}
