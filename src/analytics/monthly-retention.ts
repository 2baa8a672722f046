import { monthIndexOfDay, monthIndexTable, monthLabel } from './calendar-month.ts';
import type { PurchaseHistory } from './purchase-history.ts';

export interface RetentionMonth {
  /** "YYYY-MM" of period p. */
  month: string;
  /** Customers who bought in p − 1. */
  previousCustomers: number;
  /** Of those, customers who bought again in p. */
  retained: number;
  /** retained / previousCustomers (NaN when p − 1 had no customers). */
  rate: number;
}

export interface MonthlyRetention {
  months: RetentionMonth[];
  /** Σ retained / Σ previousCustomers over the months: the customer-weighted average rate. */
  averageRate: number;
}

/**
 * Monthly retention rate (PRODUCT.md §2): customers of the previous month who bought again this
 * month / customers of the previous month, for every complete calendar month up to `asOfDay`
 * (the as-of month counts only if `asOfDay` is its last day).
 * @example monthlyRetention(history, asOfDay).averageRate
 */
export function monthlyRetention(history: PurchaseHistory, asOfDay: number): MonthlyRetention {
  const { start, day } = history;
  let minDay = Number.POSITIVE_INFINITY;
  for (let i = 0; i < day.length; i++) if (day[i] < minDay) minDay = day[i];
  if (!(minDay <= asOfDay)) return { months: [], averageRate: Number.NaN };
  const monthOf = monthIndexTable(minDay, asOfDay);
  const minMonth = monthOf[0];
  const lastComplete = monthIndexOfDay(asOfDay + 1) - 1; // the month of asOf counts if asOf+1 starts a new one
  const span = lastComplete - minMonth + 1;
  if (span < 2) return { months: [], averageRate: Number.NaN };
  const active = new Float64Array(span);
  const retained = new Float64Array(span);
  for (let c = 0; c < history.customerCount; c++) {
    let prevMonth = -1;
    for (let i = start[c]; i < start[c + 1] && day[i] <= asOfDay; i++) {
      const m = monthOf[day[i] - minDay] - minMonth;
      if (m === prevMonth || m >= span) continue;
      active[m]++;
      if (m === prevMonth + 1 && prevMonth >= 0) retained[m]++;
      prevMonth = m;
    }
  }
  const months: RetentionMonth[] = [];
  let sumPrev = 0;
  let sumRet = 0;
  for (let m = 1; m < span; m++) {
    const prev = active[m - 1];
    sumPrev += prev;
    sumRet += retained[m];
    months.push({
      month: monthLabel(minMonth + m),
      previousCustomers: prev,
      retained: retained[m],
      rate: prev > 0 ? retained[m] / prev : Number.NaN,
    });
  }
  return { months, averageRate: sumPrev > 0 ? sumRet / sumPrev : Number.NaN };
}
