-- A promotion with a total or budget limit counted every use on its own row: each commit held the
-- row until its transaction was durable, so a limited coupon that every order used capped commits
-- near 300 a second. Its limits are now handed out in quotas: a shard holds a quota of uses and
-- budget (`quota`: promotion id -> [uses left, budget left], null for a dimension without limit)
-- and a commit takes its use from its connection's shard, counting it there like an unlimited
-- promotion's. The row keeps what it has handed out (`reserved_*`: used in the shards plus quota
-- left there), so its uses plus reserved never pass the limit; when what is left on the row does
-- not cover an order, the quotas left in the shards come back first (checkout/repository.ts).
alter table promotion_use_counts add column quota jsonb not null default '{}';
alter table promotions
  add column reserved_uses integer not null default 0 check (reserved_uses >= 0),
  add column reserved_minor bigint not null default 0 check (reserved_minor >= 0);
