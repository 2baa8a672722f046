import { useMemo } from 'react';
import { WithReport } from '../components/analytics.tsx';
import { Chart } from '../components/chart.tsx';
import { Trend, type TrendPoint } from '../components/trend.tsx';
import { Card, Kpi, PageHeader } from '../components/ui.tsx';
import {
  count,
  fmtDate,
  fmtInt,
  fmtMoney,
  fmtMoneyMinor,
  fmtMonth,
  fmtNumber,
  fmtPercent,
} from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { nextSteps, VERDICT_TITLE } from '../meaning.ts';
import { Link } from '../router.tsx';
import type { Report, Trends } from '../types.ts';

const VERDICT_TONE = {
  repeat: 'good',
  limited: 'warn',
  'one-off': 'bad',
  'insufficient-data': 'muted',
} as const;

export function OverviewPage() {
  useTitle('Overview');
  return (
    <WithReport>
      {(report, toolbar) => (
        <>
          <PageHeader
            title="Are your customers coming back?"
            subtitle={`${count(report.summary.customers, 'customer')} · ${count(report.summary.orders, 'order')} since ${fmtDate(report.summary.firstPurchase)}`}
            actions={toolbar}
          />
          <Overview report={report} />
        </>
      )}
    </WithReport>
  );
}

function Overview({ report }: { report: Report }) {
  const s = report.summary;
  const cur = s.currency;
  const life = report.segments.lifecycle;
  const active = (life.active ?? 0) + (life.vip ?? 0) + (life.new ?? 0);
  const sleeping = report.segments.sleeping;
  const total = report.summary.customers || 1;
  const steps = nextSteps(report);
  const k = report.segments.sleepingFactor;
  const verdictTone = VERDICT_TONE[s.verdict.verdict];
  // Reloaded with each new report, so the runs' points include the one on screen.
  const trends = useApi<Trends>(`/app/api/analytics/trends?as_of=${encodeURIComponent(s.asOf)}`).data;
  const t = trendProps(trends, cur);

  return (
    <div className="stack">
      <section
        className={`verdict verdict-${verdictTone}`}
        aria-labelledby="verdict-title"
        data-testid="verdict"
      >
        <div className="verdict-kicker">Is this a repeat business?</div>
        <h2 id="verdict-title">{VERDICT_TITLE[s.verdict.verdict]}</h2>
        <p>{s.verdict.reason}</p>
      </section>

      {steps.length ? (
        <Card title="What to do next">
          <ul className="next-steps">
            {steps.map((step) => (
              <li key={step.to} className={`next-step tone-border-${step.tone}`}>
                <p>{step.text}</p>
                <Link to={step.to} className="button">
                  {step.action} →
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}

      <section aria-labelledby="health-title">
        <h2 id="health-title" className="section-title">
          Customer health
        </h2>
        <div className="grid grid-3">
          <Kpi
            label="Active"
            value={fmtInt(active)}
            testId="kpi-active"
            detail={t.run('active', 'Active customers', fmtInt, 'trend-active')}
            tone="good"
            to="/customers?stage=active"
            meaning={`${fmtPercent(active / total, 0)} of customers buy in their usual rhythm (incl. ${fmtInt(life.vip ?? 0)} VIP and ${fmtInt(life.new ?? 0)} new).`}
          />
          <Kpi
            label="At risk"
            value={fmtInt(life.at_risk ?? 0)}
            testId="kpi-at-risk"
            detail={t.run('atRisk', 'Customers at risk', fmtInt, 'trend-at-risk')}
            tone="warn"
            to="/customers?stage=at_risk"
            meaning={`Overdue: more than ${fmtNumber(k / 2, 1)} of their usual intervals since the last order.`}
          />
          <Kpi
            label="Sleeping"
            value={fmtInt(sleeping)}
            testId="kpi-sleeping"
            detail={t.run('sleeping', 'Sleeping customers', fmtInt, 'trend-sleeping')}
            tone="bad"
            to="/customers?sleeping=true"
            meaning={`No order for more than ${k} of their usual intervals; ${fmtInt(life.lost ?? 0)} of them so long they are likely lost.`}
          />
        </div>
      </section>

      <section aria-labelledby="numbers-title">
        <h2 id="numbers-title" className="section-title">
          The numbers
        </h2>
        <div className="grid grid-3">
          <Kpi
            label="Repeat purchase rate"
            value={fmtPercent(s.repeatPurchaseRate)}
            testId="kpi-repeat-rate"
            detail={t.month('repeatPurchaseRate', 'Repeat purchase rate', pct, 'trend-repeat-rate')}
            meaning={`${fmtInt(s.repeatCustomers)} of ${fmtInt(s.customers)} customers bought on two or more days.`}
          />
          <Kpi
            label="Monthly retention rate"
            value={fmtPercent(s.averageMonthlyRetentionRate)}
            testId="kpi-retention"
            detail={t.month('retentionRate', 'Monthly retention rate', pct, 'trend-retention')}
            meaning="Of the customers who bought in one month, the share who bought again the next month."
          />
          <Kpi
            label="Revenue from returning customers"
            value={fmtPercent(s.repeatRevenueShare)}
            testId="kpi-returning-revenue"
            detail={t.month(
              'returningRevenueShare',
              'Revenue from returning customers',
              pct,
              'trend-returning-revenue',
            )}
            meaning="Share of revenue from orders after each customer's first purchase day."
          />
          <Kpi
            label="Average order value"
            value={fmtMoney(s.aov, cur)}
            testId="kpi-aov"
            detail={t.month('aovMinor', 'Average order value', t.money, 'trend-aov')}
            meaning={`Revenue ÷ orders: ${fmtMoney(s.revenue, cur, true)} over ${fmtInt(s.orders)} orders.`}
          />
          <Kpi
            label="Purchase frequency"
            value={fmtNumber(s.purchaseFrequency, 2)}
            testId="kpi-frequency"
            detail={t.month('purchaseFrequency', 'Orders per buying customer', freq, 'trend-frequency')}
            meaning={`Orders per customer so far; ${fmtNumber(s.purchaseFrequencyPerYear, 2)} a year.`}
          />
          <Kpi
            label="Customer lifetime value"
            value={fmtMoney(s.simpleClv, cur)}
            testId="kpi-clv"
            detail={t.run('simpleClv', 'Customer lifetime value', t.clv, 'trend-clv')}
            meaning={`What a customer brings in over ${fmtNumber(s.lifetimeYears, 0)} years: order value × orders a year × years.`}
          />
        </div>
      </section>

      <RetentionTrend report={report} />
    </div>
  );
}

const pct = (v: number) => fmtPercent(v);
const freq = (v: number) => fmtNumber(v, 2);
type MonthField =
  | 'repeatPurchaseRate'
  | 'retentionRate'
  | 'returningRevenueShare'
  | 'aovMinor'
  | 'purchaseFrequency';
type RunField = 'simpleClv' | 'active' | 'atRisk' | 'sleeping';

/** Makers of the trend under each number, from the trends answer (nothing while it loads). */
function trendProps(trends: Trends | null, currency: string) {
  const months = trends?.months ?? [];
  const runs = trends?.runs ?? null;
  const thisMonth = months.at(-1)?.month;
  const monthLabel = (m: string) => (m === thisMonth ? `${fmtMonth(m)} so far` : fmtMonth(m));
  return {
    money: (minor: number) => fmtMoneyMinor(minor, trends?.currency ?? currency),
    clv: (major: number) => fmtMoney(major, trends?.currency ?? currency),
    month(field: MonthField, name: string, format: (v: number) => string, testId: string) {
      if (!trends) return null;
      const points: TrendPoint[] = months.map((m) => ({ label: monthLabel(m.month), value: m[field] }));
      return (
        <Trend
          name={name}
          period="by month, last 12 months"
          points={points}
          format={format}
          partialLast
          testId={testId}
        />
      );
    },
    run(field: RunField, name: string, format: (v: number) => string, testId: string) {
      if (!runs) return null;
      const points: TrendPoint[] = runs.map((r) => ({ label: fmtDate(r.at), value: r[field] }));
      return (
        <Trend
          name={name}
          period="by nightly run, last 12 months"
          points={points}
          format={format}
          single="One nightly run so far: the trend starts after more nightly runs."
          testId={testId}
        />
      );
    },
  };
}

function RetentionTrend({ report }: { report: Report }) {
  const months = report.retention.monthly.months;
  const option = useMemo(
    () => ({
      grid: { left: 48, right: 16, top: 24, bottom: 40 },
      tooltip: {
        trigger: 'axis',
        formatter: (params: Array<{ dataIndex: number }>) => {
          const m = months[params[0].dataIndex];
          return `<strong>${fmtMonth(m.month)}</strong><br/>${fmtPercent(m.rate)} retained<br/>${fmtInt(m.retained)} of ${fmtInt(m.previousCustomers)} customers of the month before bought again`;
        },
      },
      xAxis: {
        type: 'category',
        data: months.map((m) => fmtMonth(m.month)),
        axisLabel: { hideOverlap: true },
      },
      yAxis: { type: 'value', min: 0, axisLabel: { formatter: (v: number) => fmtPercent(v, 0) } },
      series: [
        {
          type: 'line',
          name: 'Retention rate',
          data: months.map((m) => m.rate),
          smooth: true,
          symbolSize: 6,
          lineStyle: { width: 2.5, color: '#2448c8' },
          itemStyle: { color: '#2448c8' },
          areaStyle: { color: 'rgba(36,72,200,0.08)' },
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { type: 'dashed', color: '#5b6470' },
            label: {
              formatter: `average ${fmtPercent(report.retention.monthly.averageRate)}`,
              position: 'insideStartTop',
            },
            data: [{ yAxis: report.retention.monthly.averageRate }],
          },
        },
      ],
    }),
    [months, report.retention.monthly.averageRate],
  );
  if (months.length < 2) return null;
  return (
    <Card
      title="Monthly retention over time"
      subtitle="Each point: of the customers who bought the month before, the share who bought again that month."
    >
      <Chart option={option} height={280} label="Monthly retention rate by month" />
    </Card>
  );
}
