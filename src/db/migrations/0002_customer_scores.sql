-- Analytics scores, recomputed per store (nightly and on demand) from its orders.

create table customer_scores (
  store_id text not null,
  customer_id text not null,
  computed_at timestamptz not null,
  orders_count integer not null,
  purchase_days integer not null,
  total_spend_minor bigint not null,
  first_order_at timestamptz,
  last_order_at timestamptz,
  frequency double precision not null,
  recency double precision not null,
  age double precision not null,
  monetary_minor bigint not null,
  p_alive double precision,
  expected_purchases double precision,
  expected_spend_minor bigint,
  predicted_clv_minor bigint,
  next_purchase_at timestamptz,
  rfm_r smallint not null,
  rfm_f smallint not null,
  rfm_m smallint not null,
  rfm_segment text not null,
  lifecycle_stage text not null,
  vip boolean not null,
  sleeping boolean not null,
  typical_interval_days double precision,
  reason text not null,
  primary key (store_id, customer_id),
  foreign key (store_id, customer_id) references customers (store_id, id) on delete cascade
);
create index customer_scores_segment on customer_scores (store_id, rfm_segment);
create index customer_scores_stage on customer_scores (store_id, lifecycle_stage);
create index customer_scores_clv on customer_scores (store_id, predicted_clv_minor desc);

-- One row per recompute: the store-level report (metrics, models, segments, cohorts, holdout).
create table score_runs (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  status text not null check (status in ('queued', 'running', 'done', 'failed')),
  trigger text not null,
  progress text,
  report jsonb,
  error text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (store_id, id)
);
create index score_runs_latest on score_runs (store_id, status, finished_at desc);
