import { describe, expect, it } from 'vitest';
import {
  parseBoolean,
  parseCalendarDate,
  parseInstant,
  parseMoney,
  parseOrderStatus,
  parseWholeNumber,
  splitList,
} from './values.ts';

const value = <T>(p: { ok: true; value: T } | { ok: false; reason: string }) =>
  p.ok ? p.value : `ERR ${p.reason}`;

describe('parseMoney', () => {
  it('reads major units with the locale separators into exact minor units', () => {
    expect(value(parseMoney('19.99', 'EUR', false))).toBe(1999);
    expect(value(parseMoney('1,234.50', 'EUR', false))).toBe(123450);
    expect(value(parseMoney('1.234,50', 'EUR', true))).toBe(123450);
    expect(value(parseMoney('12,5', 'EUR', true))).toBe(1250);
    expect(value(parseMoney('€ 4,90', 'EUR', true))).toBe(490);
    expect(value(parseMoney('$12.00', 'USD', false))).toBe(1200);
    expect(value(parseMoney('-53594.36', 'GBP', false))).toBe(-5359436);
    expect(value(parseMoney('1,000', 'JPY', false))).toBe(1000);
  });

  it('refuses separators that do not fit the locale instead of misreading them', () => {
    expect(value(parseMoney('12,5', 'EUR', false))).toBe(
      'ERR "12,5" does not fit the locale en (1,234.50); is --locale right?',
    );
    expect(value(parseMoney('12.50', 'EUR', true))).toBe(
      'ERR "12.50" does not fit the locale de (1.234,50); is --locale right?',
    );
    expect(value(parseMoney('1.2.3', 'EUR', false))).toBe('ERR "1.2.3" is not an amount');
    expect(value(parseMoney('abc', 'EUR', false))).toBe('ERR "abc" is not an amount');
  });
});

describe('parseWholeNumber', () => {
  it('reads integers, also written with a zero fraction or thousands separators', () => {
    expect(value(parseWholeNumber('3', false))).toBe(3);
    expect(value(parseWholeNumber('-12', false))).toBe(-12);
    expect(value(parseWholeNumber('6.0', false))).toBe(6);
    expect(value(parseWholeNumber('1.000', true))).toBe(1000);
  });

  it('refuses fractions and words', () => {
    expect(value(parseWholeNumber('1.5', false))).toBe('ERR "1.5" is not a whole number');
    expect(value(parseWholeNumber('two', false))).toBe('ERR "two" is not a whole number');
  });
});

describe('parseInstant', () => {
  it('reads ISO 8601 with and without offset (UTC when none) and returns UTC', () => {
    expect(value(parseInstant('2024-03-01T10:00:00+01:00'))).toBe('2024-03-01T09:00:00.000Z');
    expect(value(parseInstant('2024-03-01'))).toBe('2024-03-01T00:00:00.000Z');
    expect(value(parseInstant('2010-12-01 08:26:00'))).toBe('2010-12-01T08:26:00.000Z');
    expect(value(parseInstant('2024-01-15 10:14:00 -0400'))).toBe('2024-01-15T14:14:00.000Z');
    expect(value(parseInstant('2024-01-15T10:14:00.123456Z'))).toBe('2024-01-15T10:14:00.123Z');
  });

  it('reads day-first dotted dates, and month-first slash dates only when the format says so', () => {
    expect(value(parseInstant('01.03.2024 14:05'))).toBe('2024-03-01T14:05:00.000Z');
    expect(value(parseInstant('12/1/2010 8:26', 'mdy'))).toBe('2010-12-01T08:26:00.000Z');
    expect(value(parseInstant('12/1/2010 8:26 PM', 'mdy'))).toBe('2010-12-01T20:26:00.000Z');
    expect(value(parseInstant('12/1/2010 8:26'))).toBe(
      'ERR "12/1/2010 8:26" is not a date (expected ISO 8601 or YYYY-MM-DD)',
    );
  });

  it('refuses impossible dates rather than rolling them over', () => {
    expect(value(parseInstant('2024-13-01'))).toBe('ERR "2024-13-01" is not a valid date');
    expect(value(parseInstant('2023-02-29'))).toBe('ERR "2023-02-29" is not a valid date');
    expect(value(parseInstant('2024-02-29'))).toBe('2024-02-29T00:00:00.000Z');
    expect(value(parseInstant('0001-01-01'))).toBe('ERR "0001-01-01" is not a valid date');
  });
});

describe('small cells', () => {
  it('parseCalendarDate gives YYYY-MM-DD from ISO or dotted dates', () => {
    expect(value(parseCalendarDate('31.12.1990'))).toBe('1990-12-31');
    expect(value(parseCalendarDate('1990-12-31T00:00:00Z'))).toBe('1990-12-31');
    expect(value(parseCalendarDate('1990-02-30'))).toBe('ERR "1990-02-30" is not a valid date');
  });

  it('parseBoolean reads yes/no words and leaves an empty cell unstated', () => {
    expect(
      [parseBoolean('Yes'), parseBoolean('FALSE'), parseBoolean(''), parseBoolean('ja')].map(value),
    ).toEqual([true, false, null, true]);
    expect(value(parseBoolean('maybe'))).toBe('ERR "maybe" is not yes or no');
  });

  it('splitList splits on ; and | by default, trims and drops empties and repeats', () => {
    expect(splitList('vip; wholesale|vip||')).toEqual(['vip', 'wholesale']);
    expect(splitList('a, b', /,/)).toEqual(['a', 'b']);
  });

  it('parseOrderStatus maps shop words onto our statuses', () => {
    expect(
      ['Partially refunded', 'completed', 'canceled', 'pending'].map((s) => value(parseOrderStatus(s))),
    ).toEqual(['partially_refunded', 'fulfilled', 'cancelled', 'open']);
    expect(value(parseOrderStatus('lost'))).toMatch(/^ERR unknown status "lost"/);
  });
});
