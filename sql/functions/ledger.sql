-- Ledger reads used by the health check and the CLI.

create or replace function core.schema_version() returns integer
language sql stable
as $$ select max(version) from core.schema_migrations where kind = 'sql' $$;

-- Latest applied item of each file, one row per (kind, file).
create or replace function core.ledger_items()
returns table (kind core.migration_kind, file text, name text, version integer, checksum text, applied_at timestamptz)
language sql stable
rows 20
as $$
  select distinct on (m.kind, m.file) m.kind, m.file, m.name, m.version, m.checksum, m.applied_at
  from core.schema_migrations m
  order by m.kind, m.file, m.id desc
$$;
