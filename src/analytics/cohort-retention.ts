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
  const firstMonth = monthOf[0];
  const span = lastMonth - firstMonth + 1;
  // active[(cohort − firstMonth)·span + k]: a flat matrix instead of a Map lookup per customer
  const size = new Int32Array(span);
  const active = new Int32Array(span * span);
  for (let c = 0; c < history.customerCount; c++) {
    const lo = start[c];
    if (lo === start[c + 1] || day[lo] > asOfDay) continue;
    const cohort = monthOf[day[lo] - minDay] - firstMonth;
    size[cohort]++;
    let prevK = -1;
    for (let i = lo; i < start[c + 1] && day[i] <= asOfDay; i++) {
      const k = monthOf[day[i] - minDay] - firstMonth - cohort;
      if (k !== prevK) active[cohort * span + k]++;
      prevK = k;
    }
  }
  const cohorts: Cohort[] = [];
  for (let m = 0; m < span; m++) {
    if (size[m] === 0) continue;
    const row = Array.from(active.subarray(m * span, m * span + span - m));
    cohorts.push({
      month: monthLabel(firstMonth + m),
      size: size[m],
      active: row,
      rate: row.map((v) => v / size[m]),
    });
  }
  return cohorts;
}
