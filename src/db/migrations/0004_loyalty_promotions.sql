-- Loyalty and promotions. Counters that limit usage are updated with guarded conditional updates
-- (`… where uses < max_uses`), so concurrent checkouts never exceed a limit.

-- One loyalty program per store; config is validated by the LoyaltyProgram schema.
create table loyalty_programs (
  store_id text not null references stores (id) on delete cascade,
  config jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (store_id)
);

-- Append-only: entries are never updated or deleted; key is the idempotency key of the entry.
create table loyalty_entries (
  store_id text not null,
  customer_id text not null,
  key text not null,
  seq bigint generated always as identity,
  operation_key text not null,
  kind text not null,
  points bigint not null,
  order_id text,
  at timestamptz not null,
  entry jsonb not null,
  inserted_at timestamptz not null default now(),
  primary key (store_id, customer_id, key),
  foreign key (store_id, customer_id) references customers (store_id, id) on delete cascade
);
create index loyalty_entries_seq on loyalty_entries (store_id, customer_id, seq);

-- What is left of each credit; changed only with `where remaining = <before>`.
create table loyalty_lots (
  store_id text not null,
  customer_id text not null,
  lot text not null,
  points bigint not null check (points > 0),
  remaining bigint not null check (remaining >= 0),
  available_at timestamptz not null,
  expires_at timestamptz,
  primary key (store_id, customer_id, lot),
  foreign key (store_id, customer_id, lot) references loyalty_entries (store_id, customer_id, key)
);

-- config is validated by the Promotion schema; the limits are copied out for the guarded updates.
create table promotions (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  config jsonb not null,
  status text not null default 'active' check (status in ('active', 'archived')),
  max_uses integer check (max_uses > 0),
  uses integer not null default 0 check (uses >= 0),
  budget_minor bigint check (budget_minor >= 0),
  budget_spent_minor bigint not null default 0 check (budget_spent_minor >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (store_id, id)
);
create index promotions_status on promotions (store_id, status);

-- Generated codes: single-use, personal (customer_id) and gift cards (balance_minor).
create table promotion_codes (
  store_id text not null,
  code text not null,
  promotion_id text not null,
  customer_id text,
  redeemed_at timestamptz,
  balance_minor bigint check (balance_minor >= 0),
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (store_id, code),
  foreign key (store_id, promotion_id) references promotions (store_id, id) on delete cascade
);
create index promotion_codes_promotion on promotion_codes (store_id, promotion_id, code);

create table promotion_customer_uses (
  store_id text not null,
  promotion_id text not null,
  customer_id text not null,
  uses integer not null default 0 check (uses >= 0),
  primary key (store_id, promotion_id, customer_id),
  foreign key (store_id, promotion_id) references promotions (store_id, id) on delete cascade
);

-- One row per order committed at checkout: the order's external id is the idempotency key.
create table checkout_commits (
  store_id text not null references stores (id) on delete cascade,
  order_external_id text not null,
  state text not null check (state in ('committed', 'cancelled')),
  customer_id text,
  effects jsonb not null,
  evaluation jsonb not null,
  committed_at timestamptz not null default now(),
  cancelled_at timestamptz,
  primary key (store_id, order_external_id)
);
