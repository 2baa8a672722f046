/**
 * The calendar month of a UTC day number as a month index, year·12 + (month − 1)
 * (H. Hinnant's civil_from_days). Month indexes are consecutive, so "the next month" is + 1.
 * @example monthIndexOfDay(0) // 1970·12 + 0 = 23640 (January 1970)
 */
export function monthIndexOfDay(day: number): number {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 12 + month - 1;
}

/**
 * A month index as "YYYY-MM".
 * @example monthLabel(23640) // "1970-01"
 */
export function monthLabel(monthIndex: number): string {
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  return `${year}-${String(month).padStart(2, '0')}`;
}

/**
 * The UTC day number of the first day of a month index.
 * @example firstDayOfMonth(23640) // 0
 */
export function firstDayOfMonth(monthIndex: number): number {
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  return Date.UTC(year, month, 1) / 86_400_000;
}

/**
 * Month indexes of the days firstDay…lastDay as a table (table[day − firstDay]), so code that
 * looks up millions of purchase days does the calendar arithmetic once per distinct day.
 * @example monthIndexTable(0, 31)[31] // 23641 (February 1970)
 */
export function monthIndexTable(firstDay: number, lastDay: number): Int32Array {
  const table = new Int32Array(Math.max(0, lastDay - firstDay + 1));
  for (let d = firstDay; d <= lastDay; d++) table[d - firstDay] = monthIndexOfDay(d);
  return table;
}
