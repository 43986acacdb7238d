-- The ledger as `govdb status` reads it: the latest row per (kind, file).
select distinct on (kind, file) kind::text as kind, version, name, file, checksum
  from core.schema_migrations
 order by kind, file, id desc
