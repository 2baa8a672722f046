/** Types of the dashboard's operational API: call outcomes, imports, settings editing. */

import type { CallOutcome } from '../../src/calls/rules.ts';

export type { CallOutcome };

export interface CallRecord {
  id: string;
  customer_id: string;
  outcome: CallOutcome;
  note: string;
  called_by: string | null;
  source: 'dashboard' | 'api';
  called_at: string;
}

/** What the call list adds to each row about the latest call. */
export interface LastCall {
  last_call_outcome: CallOutcome | null;
  last_call_at: string | null;
  last_call_note: string | null;
}

export interface ImportRejection {
  line: number;
  column: string | null;
  reason: string;
}

export interface ImportReport {
  id: string;
  kind: 'orders' | 'customers' | 'products';
  format: string;
  dryRun: boolean;
  rowsRead: number;
  records: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  durationMs: number;
  rejections: ImportRejection[];
}

export interface ImportProgressLine {
  type: 'progress';
  rowsRead: number;
  bytesRead: number;
  totalBytes: number | null;
  records: number;
  rejected: number;
}

export interface ImportRun {
  id: string;
  kind: string;
  format: string;
  file_name: string | null;
  status: 'running' | 'done' | 'failed';
  dry_run: boolean;
  report: Partial<ImportReport>;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  has_rejects: boolean;
}

export interface NewApiKey {
  key: { id: string; name: string; prefix: string };
  secret: string;
}
