import { monthIndexOfDay, monthIndexTable, monthLabel } from './calendar-month.ts';
import type { PurchaseHistory } from './purchase-history.ts';

export interface Cohort {
  /** Acquisition month "YYYY-MM" (the month of the first purchase). */
  month: string;
  size: number;
  /** active[k]: cohort customers who bought in month k after acquisition (k = 0 is everyone). */
  active: number[];
  /** active[k] / size. */
  rate: number[];
}

/**
 * The cohort retention matrix: acquisition month × months since the first order, the share of
 * each cohort that bought in that month. Months up to the as-of month (the last may be partial).
 * @example cohortRetention(history, asOfDay)[0].rate[1] // share of the first cohort back a month later
 */
export function cohortRetention(history: PurchaseHistory, asOfDay: number): Cohort[] {
  const { start, day } = history;
  const lastMonth = monthIndexOfDay(asOfDay);
  let minDay = asOfDay;
  for (let i = 0; i < day.length; i++) if (day[i] < minDay) minDay = day[i];
  const monthOf = monthIndexTable(minDay, asOfDay);
  const byCohort = new Map<number, { size: number; active: number[] }>();
  for (let c = 0; c < history.customerCount; c++) {
    const lo = start[c];
    if (lo === start[c + 1] || day[lo] > asOfDay) continue;
    const cohortMonth = monthOf[day[lo] - minDay];
    let cohort = byCohort.get(cohortMonth);
    if (!cohort) {
      cohort = { size: 0, active: new Array<number>(lastMonth - cohortMonth + 1).fill(0) };
      byCohort.set(cohortMonth, cohort);
    }
    cohort.size++;
    let prevK = -1;
    for (let i = lo; i < start[c + 1] && day[i] <= asOfDay; i++) {
      const k = monthOf[day[i] - minDay] - cohortMonth;
      if (k !== prevK) cohort.active[k]++;
      prevK = k;
    }
  }
  return [...byCohort.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([m, { size, active }]) => ({
      month: monthLabel(m),
      size,
      active,
      rate: active.map((v) => v / size),
    }));
}
