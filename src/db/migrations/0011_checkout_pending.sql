-- First-order rules count a customer's committed checkouts whose order has not arrived yet. Once
-- the order arrives (ingest sets `arrived`), the commit leaves the partial index, so the count reads
-- the few pending commits rather than every commit of the customer's history.
alter table checkout_commits add column arrived boolean not null default false;
update checkout_commits k set arrived = true
  where exists (select 1 from orders o where o.store_id = k.store_id and o.external_id = k.order_external_id);
drop index checkout_commits_customer;
create index checkout_commits_pending on checkout_commits (store_id, customer_id) where state = 'committed' and not arrived;

-- A commit plans on the lots with points left, not on the whole ledger.
create index loyalty_lots_live on loyalty_lots (store_id, customer_id) where remaining > 0;
