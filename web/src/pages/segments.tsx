import { WithReport } from '../components/analytics.tsx';
import { Card, PageHeader } from '../components/ui.tsx';
import { fmtInt, fmtPercent } from '../format.ts';
import { useTitle } from '../hooks.ts';
import { LIFECYCLE_STAGES, SEGMENT_INFO, stageInfo } from '../meaning.ts';
import { Link } from '../router.tsx';
import type { Report } from '../types.ts';

/**
 * Where each RFM segment sits on the recency (R, columns 1–5) × frequency (F, rows 5–1) grid, as
 * the analytics core assigns them (src/analytics/rfm-scores.ts). Lost sits on Hibernating's corner.
 */
const GRID: Record<string, { col: string; row: string }> = {
  "Can't lose": { col: '1 / 3', row: '1 / 2' },
  'At risk': { col: '1 / 3', row: '2 / 4' },
  Hibernating: { col: '1 / 3', row: '4 / 6' },
  Lost: { col: '1 / 2', row: '5 / 6' },
  Loyal: { col: '3 / 5', row: '1 / 3' },
  Champions: { col: '5 / 6', row: '1 / 3' },
  'Need attention': { col: '3 / 4', row: '3 / 4' },
  'Potential loyalist': { col: '4 / 6', row: '3 / 5' },
  'About to sleep': { col: '3 / 4', row: '4 / 6' },
  Promising: { col: '4 / 5', row: '5 / 6' },
  New: { col: '5 / 6', row: '5 / 6' },
};

export function SegmentsPage() {
  useTitle('Segments');
  return (
    <WithReport>
      {(report, toolbar) => (
        <>
          <PageHeader
            title="Segments"
            subtitle="Who your customers are by how recently and how often they buy, and where each one is in their life with you. Click a group to see its customers."
            actions={toolbar}
          />
          <Segments report={report} />
        </>
      )}
    </WithReport>
  );
}

function Segments({ report }: { report: Report }) {
  const rfm = report.segments.rfm;
  const total = Object.values(rfm).reduce((a, b) => a + b, 0) || 1;
  const life = report.segments.lifecycle;
  const lifeTotal = Object.values(life).reduce((a, b) => a + b, 0) || 1;
  const k = report.segments.sleepingFactor;
  return (
    <div className="stack">
      <Card
        title="RFM segments"
        subtitle="Columns: how recently they bought (left: long ago, right: lately). Rows: how often (top: most). Each customer is scored 1–5 on both against the other customers."
      >
        <div className="rfm-wrap">
          <div className="rfm-axis-y" aria-hidden="true">
            more orders →
          </div>
          <ul className="rfm-grid" aria-label="RFM segments">
            {Object.entries(GRID).map(([name, at]) => {
              const info = SEGMENT_INFO[name];
              if (!info) return null;
              const n = rfm[name] ?? 0;
              return (
                <li
                  key={name}
                  style={{ gridColumn: at.col, gridRow: at.row }}
                  className={`rfm-cell rfm-${info.tone}${name === 'Lost' ? ' rfm-corner' : ''}${name === 'Hibernating' ? ' rfm-beside-corner' : ''}`}
                >
                  <Link
                    to={`/customers?segment=${encodeURIComponent(name)}`}
                    className="rfm-link"
                    data-testid={`segment-${name}`}
                  >
                    <span className="rfm-name">{name}</span>
                    <span className="rfm-count">{fmtInt(n)}</span>
                    <span className="rfm-share">{fmtPercent(n / total, 0)}</span>
                    <span className="rfm-meaning">
                      {info.meaning} {info.action}
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
          <div className="rfm-axis-x" aria-hidden="true">
            ← bought long ago · bought lately →
          </div>
        </div>
      </Card>

      <Card
        title="Lifecycle stages"
        subtitle={`Each customer against their own usual interval between orders (one-time buyers: against how long your customers usually take to come back). Sleeping: more than ${k} intervals.`}
      >
        <div className="stage-bar" aria-hidden="true">
          {LIFECYCLE_STAGES.map((stage) => (
            <span
              key={stage}
              className={`tone-bg-${stageInfo(stage, k).tone}`}
              style={{ flexGrow: life[stage] ?? 0 }}
              title={`${stageInfo(stage, k).label}: ${fmtInt(life[stage] ?? 0)}`}
            />
          ))}
        </div>
        <ul className="grid grid-3 stage-list">
          {LIFECYCLE_STAGES.map((stage) => {
            const info = stageInfo(stage, k);
            const n = life[stage] ?? 0;
            return (
              <li key={stage}>
                <Link to={`/customers?stage=${stage}`} className="stage-card" data-testid={`stage-${stage}`}>
                  <span className={`dot tone-bg-${info.tone}`} aria-hidden="true" />
                  <span className="stage-name">{info.label}</span>
                  <span className="stage-count">{fmtInt(n)}</span>
                  <span className="stage-share">{fmtPercent(n / lifeTotal, 0)}</span>
                  <span className="stage-meaning">{info.meaning}</span>
                </Link>
              </li>
            );
          })}
        </ul>
      </Card>
    </div>
  );
}
