-- The rejected rows of an import run as CSV (line, column, reason, then the row's own fields), so the
-- dashboard can offer them for download from any API server. Capped by the code (MAX_STORED_REJECTS).
alter table import_runs add column rejects_csv text;
