-- Aborts the statement (and so its implicit transaction) with SQLSTATE CB409 and a JSON detail:
-- a checkout commit is one statement of guarded writes, and a guard that fails must undo the
-- writes before it. The caller reads the detail to say which limit was reached.
create or replace function comeback_refuse(detail text) returns boolean language plpgsql as $$
begin
  raise exception using errcode = 'CB409', message = detail;
end
$$;
