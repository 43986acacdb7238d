-- Every enum type of the schemas in $1 with its labels in sort order (not only those a function
-- mentions: tables and MCP inputs use them too), empty enums included; not those an extension owns.
-- Read by codegen (src/db/generated/enums.ts) and drift (enum entries keyed by qualified_name).
select n.nspname as schema,
       t.typname as name,
       quote_ident(n.nspname) || '.' || quote_ident(t.typname) as qualified_name,
       array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) as labels
  from pg_type t
  join pg_namespace n on n.oid = t.typnamespace
 where t.typtype = 'e'
   and n.nspname = any($1::text[])
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
 order by n.nspname, t.typname
