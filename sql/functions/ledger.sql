-- Ledger reads used by the health check and the CLI.

create or replace function core.schema_version() returns integer
language sql stable
as $$ select max(version) from core.schema_migrations where kind = 'sql' $$;
comment on function core.schema_version() is
'The highest applied SQL migration version; null on a database without migrations.';

create or replace function core.ledger_items()
returns table (kind core.migration_kind, file text, name text, version integer, checksum text, applied_at timestamptz)
language sql stable
rows 20
as $$
  select distinct on (m.kind, m.file) m.kind, m.file, m.name, m.version, m.checksum, m.applied_at
  from core.schema_migrations m
  order by m.kind, m.file, m.id desc
$$;
comment on function core.ledger_items() is
'The latest applied ledger item of each file, one row per (kind, file), ordered by kind and file.
version is null for Cypher and function files.
@nonnull kind, file, name, checksum, applied_at';

-- record_sql_migration is defined by a migration; its description lives here with the functions it serves.
comment on function core.record_sql_migration() is
'Trigger on graphile_migrate.migrations (migration 000001): writes the ledger row (core.schema_migrations) of each applied SQL migration in the same transaction, also when the graphile-migrate CLI is run directly.';
