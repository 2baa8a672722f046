-- First-order rules count a customer's committed checkouts whose order has not arrived yet.
create index checkout_commits_customer on checkout_commits (store_id, customer_id) where state = 'committed';
