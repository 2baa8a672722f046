-- Loyalty jobs: each customer's stored tier, paid memberships, referral codes and referrals, and
-- the append-only events feed for automation. Every job step is idempotent: a unique dedupe key
-- per event, ledger keys per entry, guarded updates for state.

-- Refunds find the ledger entries of their orders; the expiry job finds lapsed lots.
create index loyalty_entries_order on loyalty_entries (store_id, order_id) where order_id is not null;
create index loyalty_lots_expiry on loyalty_lots (store_id, expires_at) where remaining > 0;

-- The tier in force per customer (earned or paid), the earned tier kept through a grace period.
create table customer_tiers (
  store_id text not null,
  customer_id text not null,
  tier text,
  earned_tier text,
  grace_until timestamptz,
  rolling_spend_minor bigint not null default 0,
  rolling_orders integer not null default 0,
  evaluated_at timestamptz not null,
  primary key (store_id, customer_id),
  foreign key (store_id, customer_id) references customers (store_id, id) on delete cascade
);

-- A bought period of a tier, in force for starts_at <= t < ends_at; `key` makes a purchase idempotent.
create table loyalty_memberships (
  store_id text not null,
  id text not null,
  customer_id text not null,
  tier text not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null check (ends_at > starts_at),
  price_minor bigint not null check (price_minor >= 0),
  key text not null,
  created_at timestamptz not null default now(),
  primary key (store_id, id),
  unique (store_id, key),
  foreign key (store_id, customer_id) references customers (store_id, id) on delete cascade
);
create index loyalty_memberships_customer on loyalty_memberships (store_id, customer_id, ends_at);

-- One referral code per customer.
create table referral_codes (
  store_id text not null,
  code text not null,
  customer_id text not null,
  created_at timestamptz not null default now(),
  primary key (store_id, code),
  unique (store_id, customer_id),
  foreign key (store_id, customer_id) references customers (store_id, id) on delete cascade
);

-- A new customer referred by another; a customer is referred at most once.
create table referrals (
  store_id text not null,
  id text not null,
  referrer_id text not null,
  referee_id text not null,
  code text not null,
  status text not null default 'pending' check (status in ('pending', 'converted', 'rejected')),
  reason text,
  created_at timestamptz not null default now(),
  decided_at timestamptz,
  primary key (store_id, id),
  unique (store_id, referee_id),
  foreign key (store_id, referrer_id) references customers (store_id, id) on delete cascade,
  foreign key (store_id, referee_id) references customers (store_id, id) on delete cascade
);
create index referrals_pending on referrals (store_id, created_at) where status = 'pending';

-- Append-only events for automation (flows, webhooks): each happens once (dedupe_key). `tx` is
-- the writing transaction's id: the feed lists events in (tx, id) order and only those of
-- transactions older than every one still running, so an event committed late never lands
-- behind a reader's cursor.
create table loyalty_events (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  customer_id text,
  kind text not null check (kind in ('points_earned', 'points_expired', 'points_expiring', 'tier_changed',
    'certificate_issued', 'referral_converted', 'membership_renewal_due')),
  payload jsonb not null,
  at timestamptz not null,
  dedupe_key text not null,
  tx bigint not null default (pg_current_xact_id()::text::bigint),
  inserted_at timestamptz not null default now(),
  primary key (store_id, id),
  unique (store_id, dedupe_key)
);
create index loyalty_events_feed on loyalty_events (store_id, tx, id);
create index loyalty_events_customer on loyalty_events (store_id, customer_id, id);

-- One row per loyalty job run and store: what each step did.
create table loyalty_job_runs (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  trigger text not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  status text not null check (status in ('running', 'done', 'failed')),
  summary jsonb,
  error text,
  primary key (store_id, id)
);
