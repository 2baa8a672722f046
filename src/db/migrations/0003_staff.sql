-- Staff users of the dashboard and their sessions. Like every store table, store_id leads the
-- primary and foreign keys. Passwords: scrypt hashes only; sessions: only the token's SHA-256.

create table staff_users (
  store_id text not null references stores (id) on delete cascade,
  id text not null,
  email text not null check (email = lower(email) and email like '%_@_%'),
  password_hash text not null,
  role text not null check (role in ('owner', 'marketer', 'account_manager')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_login_at timestamptz,
  disabled_at timestamptz,
  primary key (store_id, id),
  unique (store_id, email)
);
-- Sign-in looks a user up by email across stores (one person may work for several).
create index staff_users_email on staff_users (email);

create table staff_sessions (
  store_id text not null,
  -- SHA-256 of the random cookie token: a leaked table does not give working sessions.
  id text not null,
  user_id text not null,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  user_agent text,
  primary key (store_id, id),
  foreign key (store_id, user_id) references staff_users (store_id, id) on delete cascade
);
-- The cookie carries no store: a session is found by its token hash alone.
create unique index staff_sessions_token on staff_sessions (id);
create index staff_sessions_expiry on staff_sessions (expires_at);
