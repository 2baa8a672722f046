import { SingleBar } from 'cli-progress';
import type { ImportProgress, ImportReport } from './run-import.ts';

/** A progress display for `runImport`'s onProgress; `stop` before printing anything else. */
export interface ProgressDisplay {
  update(progress: ImportProgress): void;
  stop(): void;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * A progress bar on `stream` (stderr) when it is a terminal: bytes read of the file with an ETA, rows
 * and rows per second. Silent otherwise (pipes, logs, CI), so output stays clean.
 */
export function createProgressBar(
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
): ProgressDisplay {
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  const started = now();
  let bar: SingleBar | null = null;
  return {
    update(p) {
      const seconds = Math.max((now() - started) / 1000, 0.001);
      const payload = {
        rows: integer.format(p.rowsRead),
        rate: integer.format(p.rowsRead / seconds),
        rejected: integer.format(p.rejected),
      };
      if (!bar) {
        const sized = p.totalBytes !== null && p.totalBytes > 0;
        bar = new SingleBar({
          stream,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
          format: sized
            ? '{bar} {percentage}% | {rows} rows | {rate} rows/s | {rejected} rejected | ETA {eta_formatted}'
            : '{rows} rows | {rate} rows/s | {rejected} rejected',
        });
        bar.start(sized ? p.totalBytes! : 1, 0, payload);
      }
      bar.update(p.totalBytes ? Math.min(p.bytesRead, p.totalBytes) : 0, payload);
    },
    stop() {
      bar?.stop();
    },
  };
}

const LABEL_WIDTH = 15;

function row(label: string, value: number | string): string {
  const text = typeof value === 'number' ? integer.format(value) : value;
  return `${label.padEnd(LABEL_WIDTH)}${text.padStart(10)}`;
}

function duration(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/**
 * The final report, one figure per line with thousands separators ("rows read          69,659"),
 * then the first rejections with line, column and reason and where the rest were written.
 */
export function formatImportReport(report: ImportReport, shownRejections = 10): string {
  const out = [
    `Import of ${report.kind} (${report.format} format)${report.dryRun ? ' — dry run, nothing written' : ''}`,
    row('rows read', report.rowsRead),
    row(report.dryRun ? 'would import' : 'records', report.records),
    row('created', report.created),
    row('updated', report.updated),
    row('unchanged', report.unchanged),
    row('rejected', report.rejected),
    row('customers', report.customers),
  ];
  if (report.kind === 'orders') {
    out.push(
      row('orders', report.orders),
      row('refunds', report.refunds),
      row('guest orders', report.guestOrders),
    );
  }
  if (report.kind === 'products') out.push(row('products', report.products));
  out.push(row('time', duration(report.durationMs)));
  const shown = report.rejections.slice(0, shownRejections);
  if (shown.length > 0) {
    out.push('', `Rejected (first ${shown.length} of ${integer.format(report.rejected)}):`);
    for (const r of shown) {
      out.push(`  line ${r.line}${r.column ? `, column ${r.column}` : ''}: ${r.reason}`);
    }
  }
  if (report.rejectsPath) out.push('', `All rejections: ${report.rejectsPath}`);
  return out.join('\n');
}
