import { lazy, Suspense } from 'react';
import type { EChartProps } from './echart.tsx';

const EChart = lazy(() => import('./echart.tsx'));

/** A chart, loaded on first use. */
export function Chart(props: EChartProps) {
  return (
    <Suspense fallback={<div className="chart chart-loading" style={{ height: props.height }} />}>
      <EChart {...props} />
    </Suspense>
  );
}
