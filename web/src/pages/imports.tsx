import { type FormEvent, useRef, useState } from 'react';
import { errorOf } from '../api.ts';
import { FormError } from '../components/form.tsx';
import { Badge, Card, EmptyState, ErrorState, Loading, PageHeader } from '../components/ui.tsx';
import { fmtDateTime, fmtInt, fmtPercent, fmtRelative } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import type { ImportProgressLine, ImportReport, ImportRun } from '../operations-types.ts';
import { useSession } from '../session.tsx';
import '../operations.css';

const KINDS = [
  { value: 'orders', label: 'Orders' },
  { value: 'customers', label: 'Customers' },
  { value: 'products', label: 'Products' },
] as const;

const FORMATS = [
  { value: 'generic', label: 'Comeback columns (generic)' },
  { value: 'shopify', label: 'Shopify export' },
  { value: 'online-retail', label: 'Online Retail (UCI)' },
  { value: 'cdnow', label: 'CDNOW' },
] as const;

const LOCALES = [
  { value: 'en', label: '1,234.56 (English)' },
  { value: 'de', label: '1.234,56 (German and most of Europe)' },
] as const;

interface Live {
  startedAt: number;
  progress: ImportProgressLine | null;
  report: ImportReport | null;
  error: string | null;
  elapsedMs: number;
}

/** Reads an ndjson response line by line as it arrives. */
async function readLines(res: Response, onLine: (line: unknown) => void): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    buffered += decoder.decode(value ?? new Uint8Array(), { stream: !done });
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const text = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (text) onLine(JSON.parse(text));
      nl = buffered.indexOf('\n');
    }
    if (done) break;
  }
  if (buffered.trim()) onLine(JSON.parse(buffered));
}

export function ImportsPage() {
  useTitle('Imports');
  const { me } = useSession();
  const history = useApi<{ data: ImportRun[] }>('/app/api/imports');
  const fileInput = useRef<HTMLInputElement>(null);
  const [kind, setKind] = useState<string>('orders');
  const [format, setFormat] = useState<string>('generic');
  const [locale, setLocale] = useState<string>('en');
  const [currency, setCurrency] = useState(me.store.currency);
  const [dryRun, setDryRun] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const [live, setLive] = useState<Live | null>(null);
  const running = live !== null && !live.report && !live.error;

  const start = async (e: FormEvent) => {
    e.preventDefault();
    const file = fileInput.current?.files?.[0];
    if (!file) {
      setFileError('Choose a CSV file first.');
      return;
    }
    setFileError(null);
    const startedAt = Date.now();
    setLive({ startedAt, progress: null, report: null, error: null, elapsedMs: 0 });
    const query = new URLSearchParams({ kind, format, locale, currency, file_name: file.name });
    if (dryRun) query.set('dry_run', 'true');
    try {
      const url = `/app/api/imports?${query}`;
      const res = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': 'text/csv',
          accept: 'application/x-ndjson',
          'x-csrf-token': me.csrf_token,
        },
        body: file,
      });
      if (!res.ok) {
        const err = await errorOf(res, url);
        const details = err.details.map((d) => `${d.path}: ${d.message}`);
        throw new Error([err.message, ...details].join(' · '));
      }
      await readLines(res, (line) => {
        const l = line as
          | ImportProgressLine
          | { type: 'report'; report: ImportReport }
          | { type: 'error'; error: { message: string } };
        const elapsedMs = Date.now() - startedAt;
        if (l.type === 'progress') setLive((v) => v && { ...v, progress: l, elapsedMs });
        else if (l.type === 'report') setLive((v) => v && { ...v, report: l.report, elapsedMs });
        else setLive((v) => v && { ...v, error: l.error.message, elapsedMs });
      });
    } catch (err) {
      setLive((v) => v && { ...v, error: (err as Error).message });
    } finally {
      history.reload();
    }
  };

  return (
    <>
      <PageHeader
        title="Imports"
        subtitle="Bring in orders, customers or products from a CSV file: your shop's export or Comeback's own columns (see docs/import.md). Rows that cannot be imported are listed with the line, column and reason; the rest goes in."
      />
      <div className="stack ops-stack">
        <Card title="Import a file">
          <form onSubmit={start} aria-label="Import a CSV file">
            <div className="form-grid">
              <div className="field">
                <label htmlFor="import-file">CSV file</label>
                <input
                  id="import-file"
                  ref={fileInput}
                  type="file"
                  accept=".csv,.txt,.tsv,text/csv"
                  aria-invalid={fileError ? true : undefined}
                  aria-describedby={fileError ? 'import-file-error' : undefined}
                  onChange={() => setFileError(null)}
                />
                {fileError ? (
                  <p className="field-error" id="import-file-error">
                    {fileError}
                  </p>
                ) : null}
              </div>
              <div className="field">
                <label htmlFor="import-kind">What the file holds</label>
                <select id="import-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
                  {KINDS.map((k) => (
                    <option key={k.value} value={k.value}>
                      {k.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="import-format">Format</label>
                <select id="import-format" value={format} onChange={(e) => setFormat(e.target.value)}>
                  {FORMATS.map((f) => (
                    <option key={f.value} value={f.value}>
                      {f.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="import-currency">Currency of amounts without one</label>
                <input
                  id="import-currency"
                  value={currency}
                  maxLength={3}
                  onChange={(e) => setCurrency(e.target.value.toUpperCase())}
                />
              </div>
              <div className="field">
                <label htmlFor="import-locale">Numbers are written like</label>
                <select id="import-locale" value={locale} onChange={(e) => setLocale(e.target.value)}>
                  {LOCALES.map((l) => (
                    <option key={l.value} value={l.value}>
                      {l.label}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <div className="form-actions">
              <label className="outcome-choice">
                <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
                Only check the file (dry run: nothing is written)
              </label>
              <button type="submit" className="button button-primary" disabled={running}>
                {running ? 'Importing…' : 'Start import'}
              </button>
            </div>
          </form>
        </Card>
        {live ? <LiveImport live={live} /> : null}
        <Card title="Past imports" subtitle="The last 50, newest first.">
          {history.error ? (
            <ErrorState error={history.error} retry={history.reload} />
          ) : !history.data ? (
            <Loading label="Loading past imports" />
          ) : history.data.data.length === 0 ? (
            <EmptyState title="No imports yet">
              <p>
                Upload a file above, or use <code>npx comeback import</code> from the command line.
              </p>
            </EmptyState>
          ) : (
            <History runs={history.data.data} />
          )}
        </Card>
      </div>
    </>
  );
}

function LiveImport({ live }: { live: Live }) {
  const p = live.progress;
  const r = live.report;
  const rows = r?.rowsRead ?? p?.rowsRead ?? 0;
  const seconds = Math.max((r?.durationMs ?? live.elapsedMs) / 1000, 0.001);
  const share = r ? 1 : p?.totalBytes ? Math.min(p.bytesRead / p.totalBytes, 1) : null;
  return (
    <Card title={r ? 'Import finished' : live.error ? 'Import failed' : 'Importing…'}>
      <div
        className="meter"
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={share === null ? undefined : Math.round(share * 100)}
      >
        <div className="meter-bar" style={{ width: `${Math.round((share ?? 0) * 100)}%` }} />
      </div>
      <p className="meter-numbers" data-testid="import-progress" aria-live="polite">
        <span>{share === null ? 'size unknown' : fmtPercent(share, 0)}</span>
        <span>{fmtInt(rows)} rows</span>
        <span>{fmtInt(rows / seconds)} rows/s</span>
        <span>{fmtInt(r?.rejected ?? p?.rejected ?? 0)} rejected</span>
      </p>
      <FormError message={live.error} />
      {r ? <Report report={r} /> : null}
    </Card>
  );
}

function Report({ report: r }: { report: ImportReport }) {
  const figures: Array<[string, number]> = [
    [r.dryRun ? 'Would import' : 'Records', r.records],
    ['Created', r.created],
    ['Updated', r.updated],
    ['Unchanged', r.unchanged],
    ['Rejected', r.rejected],
  ];
  return (
    <div className="stack" data-testid="import-report">
      {r.dryRun ? <p className="hint">Dry run: nothing was written.</p> : null}
      <dl className="report-grid">
        {figures.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{fmtInt(value)}</dd>
          </div>
        ))}
      </dl>
      {r.rejections.length > 0 ? (
        <>
          <h3>
            Rejected rows{' '}
            {r.rejected > r.rejections.length ? (
              <span className="muted">(the first {fmtInt(r.rejections.length)})</span>
            ) : null}
          </h3>
          <Rejections rows={r.rejections} />
          <p>
            <a className="button" href={`/app/api/imports/${encodeURIComponent(r.id)}/rejects.csv`} download>
              Download all rejected rows (CSV)
            </a>{' '}
            <span className="hint">
              Fix them in the file and import it again: rows already in are skipped.
            </span>
          </p>
        </>
      ) : null}
    </div>
  );
}

function Rejections({ rows }: { rows: ImportReport['rejections'] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="rejections">
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">Column</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((x) => (
            <tr key={`${x.line}-${x.column}-${x.reason}`}>
              <td>{fmtInt(x.line)}</td>
              <td>{x.column ?? '–'}</td>
              <td>{x.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function History({ runs }: { runs: ImportRun[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="import-history">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">File</th>
            <th scope="col">What</th>
            <th scope="col">State</th>
            <th scope="col">Rows</th>
            <th scope="col">Created</th>
            <th scope="col">Updated</th>
            <th scope="col">Unchanged</th>
            <th scope="col">Rejected</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td title={fmtDateTime(run.started_at)}>{fmtRelative(run.started_at)}</td>
              <td>{run.file_name ?? '–'}</td>
              <td>
                {run.kind} · {run.format}
                {run.dry_run ? ' · dry run' : ''}
              </td>
              <td>
                {run.status === 'done' ? (
                  <Badge tone="good">Done</Badge>
                ) : run.status === 'failed' ? (
                  <span title={run.error ?? ''}>
                    <Badge tone="bad">Failed</Badge>
                  </span>
                ) : (
                  <Badge tone="info">Running</Badge>
                )}
              </td>
              <td>{fmtInt(run.report.rowsRead)}</td>
              <td>{fmtInt(run.report.created)}</td>
              <td>{fmtInt(run.report.updated)}</td>
              <td>{fmtInt(run.report.unchanged)}</td>
              <td>
                {fmtInt(run.report.rejected)}
                {run.has_rejects ? (
                  <>
                    {' '}
                    <a href={`/app/api/imports/${encodeURIComponent(run.id)}/rejects.csv`} download>
                      CSV
                    </a>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
