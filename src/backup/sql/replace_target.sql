-- `govdb restore --replace`: empties the target database in ONE transaction, graph first.
-- AGE refuses a plain DROP of its label tables (what `pg_restore --clean` would issue), so every
-- graph is dropped through ag_catalog.drop_graph, then the remaining user schemas, the extensions
-- and the contents of public. AGE itself and its schema ag_catalog stay: with AGE preloaded, its
-- drop hook fails on `drop extension age cascade` ("index ag_label_relation_index does not exist")
-- and on dropping ag_catalog after the extension ("table ag_graph does not exist"). With no graph
-- left its catalog is empty; the restore skips the dump's CREATE SCHEMA ag_catalog, and the dump's
-- CREATE EXTENSION IF NOT EXISTS keeps the installed AGE.
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
       and n.oid not in (select extnamespace from pg_extension where extname in ('plpgsql', 'age'))
       and not exists (select 1 from pg_depend d
                        where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
  loop
    execute format('drop schema %I cascade', r.nspname);
  end loop;
  for r in select extname from pg_extension where extname not in ('plpgsql', 'age') loop
    execute format('drop extension %I cascade', r.extname);
  end loop;
  drop schema public cascade;
  create schema public authorization pg_database_owner;
  comment on schema public is 'standard public schema';
  grant usage on schema public to public;
end
$replace$
