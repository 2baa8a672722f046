import { useMemo } from 'react';
import { WithReport } from '../components/analytics.tsx';
import { Chart } from '../components/chart.tsx';
import { Card, EmptyState, PageHeader } from '../components/ui.tsx';
import { fmtInt, fmtMonth, fmtPercent } from '../format.ts';
import { useTitle } from '../hooks.ts';
import type { Cohort } from '../types.ts';

export function CohortsPage() {
  useTitle('Cohorts');
  return (
    <WithReport>
      {(report, toolbar) => (
        <>
          <PageHeader
            title="Cohorts"
            subtitle="Customers grouped by the month of their first order: how many of each group bought again 1, 2, 3 … months later."
            actions={toolbar}
          />
          {report.retention.cohorts.length === 0 ? (
            <EmptyState title="No cohorts yet">
              <p>Cohorts appear once customers with orders are in.</p>
            </EmptyState>
          ) : (
            <Cohorts cohorts={report.retention.cohorts} />
          )}
        </>
      )}
    </WithReport>
  );
}

/**
 * Share of all cohorts' customers active k months after their first order, over the cohorts old
 * enough. Each cohort's last month is the current one, still running: it is left out.
 */
function averageCurve(cohorts: Cohort[]): Array<{ k: number; rate: number; customers: number }> {
  const longest = Math.max(...cohorts.map((c) => c.active.length));
  const out = [];
  for (let k = 1; k < longest - 1; k++) {
    let active = 0;
    let size = 0;
    for (const c of cohorts) {
      if (c.active.length - 1 > k) {
        active += c.active[k];
        size += c.size;
      }
    }
    if (size > 0) out.push({ k, rate: active / size, customers: size });
  }
  return out;
}

function Cohorts({ cohorts }: { cohorts: Cohort[] }) {
  const heatmap = useMemo(() => {
    const longest = Math.max(...cohorts.map((c) => c.active.length));
    const xs = Array.from({ length: longest - 1 }, (_, i) => `${i + 1}`);
    const data: Array<[number, number, number]> = [];
    cohorts.forEach((c, y) => {
      for (let k = 1; k < c.rate.length; k++) data.push([k - 1, y, c.rate[k]]);
    });
    // The colour scale ends at the 95th percentile: a cohort of three customers at 100 % would
    // otherwise wash out every other cell.
    const sorted = data.map((d) => d[2]).sort((a, b) => a - b);
    const max = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] : 0;
    return {
      grid: { left: 120, right: 16, top: 8, bottom: 80 },
      tooltip: {
        formatter: (p: { data: [number, number, number] }) => {
          const [x, y, rate] = p.data;
          const c = cohorts[y];
          return `<strong>Customers since ${fmtMonth(c.month)}</strong> (${fmtInt(c.size)})<br/>${x + 1} month${x ? 's' : ''} after their first order:<br/>${fmtInt(c.active[x + 1])} bought again, ${fmtPercent(rate)}`;
        },
      },
      xAxis: {
        type: 'category',
        data: xs,
        name: 'months after the first order',
        nameLocation: 'middle',
        nameGap: 28,
        splitArea: { show: true },
      },
      yAxis: {
        type: 'category',
        data: cohorts.map((c) => `${fmtMonth(c.month)} · ${fmtInt(c.size)}`),
        inverse: true,
        splitArea: { show: true },
      },
      visualMap: {
        min: 0,
        max: Math.max(0.05, Math.ceil(max * 20) / 20),
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 220,
        text: [fmtPercent(Math.max(0.05, Math.ceil(max * 20) / 20), 0), '0%'],
        inRange: { color: ['#f3f6ff', '#9db3f5', '#2448c8', '#14296f'] },
      },
      series: [
        {
          type: 'heatmap',
          name: 'Bought again',
          data,
          label: { show: false },
          emphasis: { itemStyle: { borderColor: '#111', borderWidth: 1 } },
        },
      ],
    };
  }, [cohorts]);

  const curve = useMemo(() => averageCurve(cohorts), [cohorts]);
  const curveOption = useMemo(
    () => ({
      grid: { left: 48, right: 16, top: 16, bottom: 40 },
      tooltip: {
        trigger: 'axis',
        formatter: (ps: Array<{ dataIndex: number }>) => {
          const p = curve[ps[0].dataIndex];
          return `${p.k} month${p.k > 1 ? 's' : ''} after the first order:<br/>${fmtPercent(p.rate)} bought again (of ${fmtInt(p.customers)} customers)`;
        },
      },
      xAxis: {
        type: 'category',
        data: curve.map((p) => `${p.k}`),
        name: 'months',
        nameLocation: 'middle',
        nameGap: 26,
      },
      yAxis: { type: 'value', min: 0, axisLabel: { formatter: (v: number) => fmtPercent(v, 0) } },
      series: [
        {
          type: 'bar',
          data: curve.map((p) => p.rate),
          itemStyle: { color: '#2448c8', borderRadius: [3, 3, 0, 0] },
        },
      ],
    }),
    [curve],
  );

  const first = curve[0];
  return (
    <div className="stack">
      <Card
        title="Retention by acquisition month"
        subtitle="Rows: the month of the first order (and how many customers it brought). Columns: months later. Darker: more of them bought again. The last column of each row is the current month, still running. Hover a cell for the numbers."
      >
        <div className="scroll-x">
          <div style={{ minWidth: 720 }}>
            <Chart
              option={heatmap}
              height={Math.max(260, cohorts.length * 24 + 100)}
              label="Cohort retention heatmap"
            />
          </div>
        </div>
      </Card>
      <Card
        title="How customers come back, on average"
        subtitle={
          first
            ? `${fmtPercent(first.rate)} of customers buy again in the month after their first order. The bars show every later month, over all cohorts old enough.`
            : undefined
        }
      >
        <Chart
          option={curveOption}
          height={240}
          label="Average share of customers buying again by months since first order"
        />
      </Card>
    </div>
  );
}
