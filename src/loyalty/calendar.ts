/**
 * Month-and-day arithmetic for birthdays and yearly windows, in the store's UTC offset.
 * Pure: `now` is passed in, `new Date` is only ever given it.
 */
import { DAY_MS } from '../kernel/time.ts';
import type { EpochMs } from './types.ts';

/** A day of the year: month 1–12, day 1–31. */
export interface MonthDay {
  month: number;
  day: number;
}

/** The local calendar date of an instant at a fixed UTC offset. */
export function localDate(
  now: EpochMs,
  utcOffsetMinutes: number,
): { year: number; month: number; day: number } {
  const d = new Date(now + utcOffsetMinutes * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The day number (UTC days since epoch) of a month-day in a year; 29 February falls on the 28th in other years. */
function dayIn(year: number, md: MonthDay): number {
  const day = md.month === 2 && md.day === 29 && !isLeap(year) ? 28 : md.day;
  return Math.floor(Date.UTC(year, md.month - 1, day) / DAY_MS);
}

/**
 * Signed days from the nearest occurrence of `md` to the local date of `now`: 0 on the day,
 * −3 three days before, 2 two days after.
 */
export function daysFromMonthDay(now: EpochMs, md: MonthDay, utcOffsetMinutes: number): number {
  const local = localDate(now, utcOffsetMinutes);
  const today = Math.floor(Date.UTC(local.year, local.month - 1, local.day) / DAY_MS);
  let best = Number.POSITIVE_INFINITY;
  for (const y of [local.year - 1, local.year, local.year + 1]) {
    const diff = today - dayIn(y, md);
    if (Math.abs(diff) < Math.abs(best)) best = diff;
  }
  return best;
}

/** Whether the local date of `now` lies in the yearly window `from`–`to` (inclusive; may wrap the new year). */
export function inYearlyWindow(
  now: EpochMs,
  from: MonthDay,
  to: MonthDay,
  utcOffsetMinutes: number,
): boolean {
  const { month, day } = localDate(now, utcOffsetMinutes);
  const x = month * 100 + day;
  const a = from.month * 100 + from.day;
  const b = to.month * 100 + to.day;
  return a <= b ? x >= a && x <= b : x >= a || x <= b;
}
