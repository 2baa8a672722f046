-- A customer's postal address, as the store sends it (line1, line2, postal_code, city, region,
-- country): the referral program's self-referral guard compares it.
alter table customers add column address jsonb;
