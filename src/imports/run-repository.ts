/** Import runs as the database keeps them (import_runs): started, finished with their report, or failed. */

import type { Queryable } from '../db/client.ts';

export async function startImportRun(
  q: Queryable,
  storeId: string,
  run: { id: string; kind: string; format: string; fileName: string | null; dryRun: boolean },
): Promise<void> {
  await q.query(
    `insert into import_runs (store_id, id, kind, format, file_name, status, dry_run) values ($1, $2, $3, $4, $5, 'running', $6)`,
    [storeId, run.id, run.kind, run.format, run.fileName, run.dryRun],
  );
}

/** Marks a run done with its report and, when kept, the rejected rows as CSV. */
export async function finishImportRun(
  q: Queryable,
  storeId: string,
  id: string,
  report: unknown,
  rejectsCsv: string | null,
): Promise<void> {
  await q.query(
    `update import_runs set status = 'done', report = $3::jsonb, rejects_csv = $4, finished_at = now() where store_id = $1 and id = $2`,
    [storeId, id, JSON.stringify(report), rejectsCsv],
  );
}

export async function failImportRun(
  q: Queryable,
  storeId: string,
  id: string,
  message: string,
): Promise<void> {
  await q.query(
    `update import_runs set status = 'failed', error = $3, finished_at = now() where store_id = $1 and id = $2`,
    [storeId, id, message],
  );
}

/** The store's 50 latest runs, newest first, and whether each kept rejected rows to download. */
export async function recentImportRuns(q: Queryable, storeId: string): Promise<Record<string, unknown>[]> {
  const res = await q.query(
    `select id, kind, format, file_name, status, dry_run, report, error, started_at, finished_at,
       rejects_csv is not null as has_rejects
     from import_runs where store_id = $1 order by id desc limit 50`,
    [storeId],
  );
  return res.rows;
}

/** A run's rejected rows as CSV (null when none were kept) and its file's name. */
export async function importRunRejects(
  q: Queryable,
  storeId: string,
  id: string,
): Promise<{ rejects_csv: string | null; file_name: string | null } | null> {
  const res = await q.query<{ rejects_csv: string | null; file_name: string | null }>(
    'select rejects_csv, file_name from import_runs where store_id = $1 and id = $2',
    [storeId, id],
  );
  return res.rows[0] ?? null;
}
