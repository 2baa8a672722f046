-- A commit counted each promotion it used on its own rows: one per promotion in a use shard, one per
-- promotion in the customer's uses, and a key-share lock on each promotion's row so that an edit
-- setting a limit waited for it. With eight automatic promotions an order wrote 24 rows (and under
-- concurrency every lock on a shared promotion row made a multixact). The counters become maps, so
-- a commit writes one shard row and one customer row whatever the number of promotions.

-- Uses of promotions without a total or budget limit: per store, 64 shard rows (a commit writes
-- its connection's shard), each a map promotion id -> [uses, spent_minor]. `closed` lists the
-- promotions whose uses moved onto their promotions row (an edit folds them there, see
-- promotions/repository.ts): a commit that planned one of them as unlimited finds it closed when
-- it takes the shard row's lock, and plans again. No foreign keys: a key check locks the parent
-- row, the very contention the shards avoid.
create table promotion_use_counts (
  store_id text not null,
  shard smallint not null,
  uses jsonb not null default '{}',
  closed text[] not null default '{}',
  primary key (store_id, shard)
);
insert into promotion_use_counts (store_id, shard, uses)
  select store_id, shard, jsonb_object_agg(promotion_id, jsonb_build_array(uses, spent_minor))
  from promotion_use_shards where uses > 0 or spent_minor > 0
  group by store_id, shard;
drop table promotion_use_shards;

-- Each customer's uses of promotions: one row, a map promotion id -> uses, written under the
-- customer's lock (checkout commits and cancels take it first).
create table customer_promotion_uses (
  store_id text not null,
  customer_id text not null,
  uses jsonb not null default '{}',
  primary key (store_id, customer_id)
);
insert into customer_promotion_uses (store_id, customer_id, uses)
  select store_id, customer_id, jsonb_object_agg(promotion_id, uses)
  from promotion_customer_uses where uses > 0
  group by store_id, customer_id;
drop table promotion_customer_uses;
