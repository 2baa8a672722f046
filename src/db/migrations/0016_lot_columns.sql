-- A lot carries what the ledger's spending plan reads of its credit (order, kind, time): checkout
-- reads the lots alone, instead of joining every one of the customer's entries to them.
alter table loyalty_lots add column order_id text, add column kind text, add column at timestamptz;
update loyalty_lots l set order_id = e.order_id, kind = e.kind, at = e.at
  from loyalty_entries e
  where e.store_id = l.store_id and e.customer_id = l.customer_id and e.key = l.lot;
alter table loyalty_lots alter column kind set not null, alter column at set not null;
