-- A commit's effects and evaluation (2-6 kB, returned as stored, never queried inside) move to a
-- table of their own. Inline in checkout_commits they made its rows one or two per page, so
-- counting a customer's pending commits (every evaluate and commit does) read one page per commit,
-- and the table outgrew the buffer cache: in the checkout bench, 22 page reads from disk per
-- commit. checkout_commits keeps the narrow columns those counts and locks use.
create table checkout_commit_bodies (
  store_id text not null,
  order_external_id text not null,
  effects json not null,
  evaluation json not null,
  primary key (store_id, order_external_id),
  foreign key (store_id, order_external_id) references checkout_commits (store_id, order_external_id)
    on delete cascade
);
-- Inline and uncompressed, as they were (migration 0012).
alter table checkout_commit_bodies set (toast_tuple_target = 8160);
insert into checkout_commit_bodies (store_id, order_external_id, effects, evaluation)
  select store_id, order_external_id, effects, evaluation from checkout_commits;
alter table checkout_commits drop column effects, drop column evaluation;
