-- Uses of a promotion without a total or budget limit are counted in shards: every order that
-- used it updated one counter row before, and a durable commit holds its row for a WAL flush
-- (~3 ms here), so one busy promotion capped all commits near 300 a second. A limited promotion
-- keeps its guarded counter on the promotions row (its limit is checked there); an edit folds the
-- shards into that row.
create table promotion_use_shards (
  store_id text not null,
  promotion_id text not null,
  shard smallint not null,
  uses integer not null default 0 check (uses >= 0),
  spent_minor bigint not null default 0 check (spent_minor >= 0),
  primary key (store_id, promotion_id, shard),
  foreign key (store_id, promotion_id) references promotions (store_id, id) on delete cascade
);

-- An evaluation reads one customer's uses of every promotion.
create index promotion_customer_uses_customer on promotion_customer_uses (store_id, customer_id);
