import { useMemo } from 'react';
import { Chart } from './chart.tsx';

/** One point of a trend: its label in words ("Mar 2026", "Dec 3, 2026") and its value (null: none that month). */
export interface TrendPoint {
  label: string;
  value: number | null;
}

/**
 * A small line under a number: how it went over the points given, with a label for screen readers
 * that reads every point, and the change from the first point to the last in words. A single point
 * is shown as one dot with `single` saying why there is no line yet.
 */
export function Trend({
  name,
  period,
  points,
  format,
  single,
  partialLast = false,
  testId,
}: {
  /** What is measured, e.g. "Average order value". */
  name: string;
  /** How the points are spaced, e.g. "by month, last 12 months". */
  period: string;
  points: TrendPoint[];
  format: (value: number) => string;
  /** Said when there is only one point. */
  single?: string;
  /** The last point is a period still running (this month so far): the words compare the ones before. */
  partialLast?: boolean;
  testId?: string;
}) {
  const label = `${name} ${period}: ${points.map((p) => `${p.label} ${p.value == null ? 'none' : format(p.value)}`).join(', ')}`;
  // Keyed on the label, which spells out every point: the points and format are new on each render.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the label changes whenever points or format do
  const option = useMemo(
    () => ({
      grid: { left: 4, right: 4, top: 6, bottom: 6 },
      tooltip: {
        trigger: 'axis',
        confine: true,
        formatter: (params: Array<{ dataIndex: number }>) => {
          const p = points[params[0].dataIndex];
          return `${p.label}: <strong>${p.value == null ? 'none' : format(p.value)}</strong>`;
        },
      },
      xAxis: { type: 'category', show: false, boundaryGap: false, data: points.map((p) => p.label) },
      yAxis: { type: 'value', show: false, scale: true },
      series: [
        {
          type: 'line',
          name,
          data: points.map((p) => p.value),
          showSymbol: points.length === 1,
          symbolSize: 6,
          lineStyle: { width: 2, color: '#2448c8' },
          itemStyle: { color: '#2448c8' },
          areaStyle: { color: 'rgba(36,72,200,0.08)' },
        },
      ],
    }),
    [label],
  );
  const known = points.filter((p): p is { label: string; value: number } => p.value != null);
  const compared = (partialLast ? points.slice(0, -1) : points).filter(
    (p): p is { label: string; value: number } => p.value != null,
  );
  let words: string;
  if (known.length === 0)
    words = `No ${name.toLowerCase()} to show ${period.replace(/^by \w+, /, 'in the ')}.`;
  else if (points.length === 1) words = single ?? '';
  else {
    const first = compared[0];
    const last = compared[compared.length - 1];
    if (!first || first === last) words = '';
    else {
      const direction = last.value > first.value ? 'up' : last.value < first.value ? 'down' : 'unchanged';
      words =
        direction === 'unchanged'
          ? `${format(last.value)} in ${last.label}, as in ${first.label}.`
          : `${format(last.value)} in ${last.label}, ${direction} from ${format(first.value)} in ${first.label}.`;
    }
  }
  return (
    <div className="trend" data-testid={testId}>
      {known.length ? <Chart option={option} height={44} label={label} /> : null}
      {words ? <p className="trend-words">{words}</p> : null}
    </div>
  );
}
