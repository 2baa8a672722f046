-- A commit's effects and evaluation are stored to be returned as they were (a repeated commit, a
-- cancel) and never queried inside: json keeps the text as sent instead of parsing it into jsonb,
-- and rows up to 8 kB stay inline and uncompressed (an evaluation is 2-4 kB; compressing each
-- one cost checkout more than storing it).
alter table checkout_commits
  alter column effects type json using effects::json,
  alter column evaluation type json using evaluation::json;
alter table checkout_commits set (toast_tuple_target = 8160);
