-- Store data core. Every table but stores carries store_id first in its primary key and foreign
-- keys, so the schema can be distributed by store (Citus) without change. Money: bigint minor units.

create table stores (
  id text primary key,
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name text not null,
  currency char(3) not null default 'EUR',
  timezone text not null default 'UTC',
  settings jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table api_keys (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  name text not null default '',
  prefix text not null,
  secret_hash text not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (store_id, id)
);

create table customers (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  external_id text,
  email text,
  phone text,
  first_name text,
  last_name text,
  birthday date,
  locale text,
  timezone text,
  tags text[] not null default '{}',
  account_manager text,
  attributes jsonb not null default '{}',
  created_at timestamptz not null,
  source_updated_at timestamptz,
  content_hash text not null,
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (store_id, id),
  unique (store_id, external_id)
);
create index customers_email on customers (store_id, email);
create index customers_updated on customers (store_id, updated_at, id);
create index customers_manager on customers (store_id, account_manager) where account_manager is not null;

-- Append-only consent history per customer and channel; the current state is the latest row.
create table consents (
  store_id text not null,
  id text not null,
  customer_id text not null,
  channel text not null check (channel in ('email', 'sms', 'phone')),
  status text not null check (status in ('granted', 'withdrawn')),
  source text,
  text_shown text,
  ip text,
  user_agent text,
  double_opt_in_confirmed_at timestamptz,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  primary key (store_id, id),
  foreign key (store_id, customer_id) references customers (store_id, id) on delete cascade
);
create index consents_customer on consents (store_id, customer_id, channel, occurred_at desc, id desc);

create function consents_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'consents are append-only: record a new consent instead of changing one';
end $$;
create trigger consents_no_update before update on consents
  for each row execute function consents_append_only();

create view current_consents as
  select distinct on (store_id, customer_id, channel) *
  from consents
  order by store_id, customer_id, channel, occurred_at desc, id desc;

create table products (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  external_id text not null,
  sku text,
  title text not null,
  category text,
  price_minor bigint,
  currency char(3),
  replenishment_interval_days integer,
  attributes jsonb not null default '{}',
  source_updated_at timestamptz,
  content_hash text not null,
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (store_id, id),
  unique (store_id, external_id)
);
create index products_sku on products (store_id, sku);
create index products_updated on products (store_id, updated_at, id);

create table orders (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  external_id text not null,
  customer_id text,
  placed_at timestamptz not null,
  currency char(3) not null,
  subtotal_minor bigint not null,
  discount_minor bigint not null default 0,
  shipping_minor bigint not null default 0,
  tax_minor bigint not null default 0,
  total_minor bigint not null,
  refunded_minor bigint not null default 0,
  status text not null default 'paid',
  source text,
  discount_codes text[] not null default '{}',
  line_count integer not null,
  source_updated_at timestamptz,
  content_hash text not null,
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (store_id, id),
  unique (store_id, external_id),
  foreign key (store_id, customer_id) references customers (store_id, id)
);
create index orders_customer on orders (store_id, customer_id, placed_at);
create index orders_placed on orders (store_id, placed_at);
create index orders_updated on orders (store_id, updated_at, id);

create table order_lines (
  store_id text not null,
  order_id text not null,
  line_no integer not null,
  product_id text,
  sku text,
  product_external_id text,
  title text,
  quantity integer not null,
  unit_price_minor bigint not null,
  discount_minor bigint not null default 0,
  total_minor bigint not null,
  primary key (store_id, order_id, line_no),
  foreign key (store_id, order_id) references orders (store_id, id) on delete cascade
);

create table refunds (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  external_id text not null,
  order_id text,
  customer_id text,
  refunded_at timestamptz not null,
  currency char(3) not null,
  amount_minor bigint not null,
  reason text,
  content_hash text not null,
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (store_id, id),
  unique (store_id, external_id),
  foreign key (store_id, order_id) references orders (store_id, id),
  foreign key (store_id, customer_id) references customers (store_id, id)
);
create index refunds_order on refunds (store_id, order_id);

create table refund_lines (
  store_id text not null,
  refund_id text not null,
  line_no integer not null,
  order_line_no integer,
  sku text,
  quantity integer not null,
  amount_minor bigint not null,
  primary key (store_id, refund_id, line_no),
  foreign key (store_id, refund_id) references refunds (store_id, id) on delete cascade
);

create table carts (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  external_id text not null,
  customer_id text,
  email text,
  currency char(3) not null,
  subtotal_minor bigint not null,
  status text not null default 'open' check (status in ('open', 'abandoned', 'converted')),
  checkout_url text,
  recovered_order_id text,
  created_at timestamptz not null,
  source_updated_at timestamptz not null,
  content_hash text not null,
  inserted_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (store_id, id),
  unique (store_id, external_id),
  foreign key (store_id, customer_id) references customers (store_id, id),
  foreign key (store_id, recovered_order_id) references orders (store_id, id)
);
create index carts_activity on carts (store_id, status, source_updated_at);
create index carts_updated on carts (store_id, updated_at, id);

create table cart_lines (
  store_id text not null,
  cart_id text not null,
  line_no integer not null,
  product_id text,
  sku text,
  product_external_id text,
  title text,
  quantity integer not null,
  unit_price_minor bigint not null,
  primary key (store_id, cart_id, line_no),
  foreign key (store_id, cart_id) references carts (store_id, id) on delete cascade
);

create table events (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  external_id text,
  type text not null,
  customer_id text,
  anonymous_id text,
  occurred_at timestamptz not null,
  payload jsonb not null default '{}',
  inserted_at timestamptz not null default now(),
  primary key (store_id, id),
  unique (store_id, external_id),
  foreign key (store_id, customer_id) references customers (store_id, id)
);
create index events_customer on events (store_id, customer_id, occurred_at);
create index events_type on events (store_id, type, occurred_at);

-- Stripe-style idempotency: one row per (store, key) for 24 h.
create table idempotency_keys (
  store_id text not null references stores (id) on delete cascade,
  key text not null,
  method text not null,
  path text not null,
  request_hash text not null,
  state text not null check (state in ('in_progress', 'done')),
  response_status integer,
  response_body jsonb,
  created_at timestamptz not null default now(),
  primary key (store_id, key)
);
create index idempotency_keys_age on idempotency_keys (created_at);

create table import_runs (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  kind text not null,
  format text not null,
  file_name text,
  status text not null check (status in ('running', 'done', 'failed')),
  dry_run boolean not null default false,
  report jsonb not null default '{}',
  error text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (store_id, id)
);
