-- Servers remember which store an API key opens (stores/api-key-cache.ts) and forget it when told:
-- a revocation (or any change of a key's secret, store or revocation, or its deletion), however it
-- is made, notifies every listening server in the same transaction. last_used_at's touches do not.
create function api_keys_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('comeback_api_keys', coalesce(new.store_id, old.store_id));
  return null;
end
$$;

create trigger api_keys_changed
  after update of revoked_at, secret_hash, store_id or delete on api_keys
  for each row execute function api_keys_changed();
