-- `govdb restore --replace`: empties the target database in ONE transaction, graph first.
-- AGE refuses a plain DROP of its label tables (what `pg_restore --clean` would issue), so every
-- graph is dropped through ag_catalog.drop_graph, then the remaining user schemas, the extensions
-- (their schemas go with them), and the contents of public.
do $replace$
declare
  r record;
begin
  if exists (select 1 from pg_extension where extname = 'age') then
    for r in select name from ag_catalog.ag_graph order by name loop
      perform ag_catalog.drop_graph(r.name, true);
    end loop;
  end if;
  for r in
    select n.nspname
      from pg_namespace n
     where n.nspname not in ('public', 'pg_catalog', 'information_schema')
       and n.nspname !~ '^pg_'
       and not exists (select 1 from pg_depend d
                        where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
  loop
    execute format('drop schema %I cascade', r.nspname);
  end loop;
  for r in select extname from pg_extension where extname <> 'plpgsql' loop
    execute format('drop extension %I cascade', r.extname);
  end loop;
  drop schema public cascade;
  create schema public authorization pg_database_owner;
  comment on schema public is 'standard public schema';
  grant usage on schema public to public;
end
$replace$
