-- Outcomes of account managers' calls to customers: append-only (no update or delete path in the
-- code, and a trigger refuses both), so the history a CRM syncs never changes under it. Store first
-- in the keys like every store table.

create table call_outcomes (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  customer_id text not null,
  outcome text not null check (outcome in ('reached', 'no_answer', 'problem_found', 'order_promised')),
  note text not null default '' check (length(note) <= 2000),
  -- Who called: a staff email from the dashboard, or what a CRM sent over the API.
  called_by text,
  source text not null check (source in ('dashboard', 'api')),
  called_at timestamptz not null,
  created_at timestamptz not null default now(),
  primary key (store_id, id),
  foreign key (store_id, customer_id) references customers (store_id, id) on delete cascade
);
-- The timeline of one customer and the call list's "last outcome" both read newest first.
create index call_outcomes_customer on call_outcomes (store_id, customer_id, called_at desc);

create function call_outcomes_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'call outcomes are append-only' using errcode = '55000';
end $$;
create trigger call_outcomes_no_update before update on call_outcomes
  for each row execute function call_outcomes_append_only();

-- Failed dashboard sign-ins per key ('email:…' or 'ip:…') in a fixed window: in the database so the
-- limit holds across several API servers. Not a store table: a sign-in is not tied to a store yet.
create table login_failures (
  key text primary key,
  failures integer not null,
  window_ends_at timestamptz not null
);
create index login_failures_window on login_failures (window_ends_at);
