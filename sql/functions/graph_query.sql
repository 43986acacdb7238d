-- Privileges of govdb_graph_reader (role created by migration 000004), the role graph_query runs
-- under (SET LOCAL ROLE, src/domain/graphQuery.ts): USAGE on ag_catalog and the graph schema, SELECT
-- on their tables, nothing else. AGE's SET / REMOVE / DELETE / CREATE need UPDATE / DELETE / INSERT on
-- the label tables, so they fail with "permission denied" under this role even if the query check
-- missed them (CREATE and MERGE; AGE 1.5 applies SET/REMOVE/DELETE without privilege checks, which
-- is why graph_query also always rolls back). Granted here, after the Cypher migrations created the
-- graph; a Cypher migration that adds a label must be followed by a change of this file (or a call of
-- knowledge.grant_graph_reader()). The server's login role must be a member of the
-- role (granted to the migrating role here; docs/lifecycle.md).
create or replace function knowledge.grant_graph_reader()
returns void
language plpgsql volatile
as $$
begin
  execute 'grant usage on schema ag_catalog to govdb_graph_reader';
  execute 'grant select on all tables in schema ag_catalog to govdb_graph_reader';
  if exists (select 1 from pg_namespace where nspname = 'governance_graph') then
    execute 'grant usage on schema governance_graph to govdb_graph_reader';
    execute 'grant select on all tables in schema governance_graph to govdb_graph_reader';
  end if;
  if not pg_has_role(current_user, 'govdb_graph_reader', 'MEMBER') then
    execute format('grant govdb_graph_reader to %I', current_user);
  end if;
end;
$$;

select knowledge.grant_graph_reader();
