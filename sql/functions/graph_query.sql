-- govdb_graph_reader (migration 000004) gets USAGE and SELECT only: AGE's CREATE and MERGE need
-- INSERT on the label tables, so they fail under this role even if the query check missed them
-- (AGE 1.5 applies SET/REMOVE/DELETE without privilege checks, which is why graph_query also always
-- rolls back). A Cypher migration that adds a label must be followed by a change of this file.
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
comment on function knowledge.grant_graph_reader() is
'Grants govdb_graph_reader (the role graph_query runs under) read access to ag_catalog and the graph schema, and makes the current role a member.
Run by this file; call it again after a Cypher migration adds a label.';

select knowledge.grant_graph_reader();
