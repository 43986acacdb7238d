-- Every enum type of the schemas in $1 with its labels in sort order (not only those a function
-- mentions: tables and MCP inputs use them too).
select n.nspname as schema,
       t.typname as name,
       array_agg(e.enumlabel::text order by e.enumsortorder) as labels
  from pg_type t
  join pg_namespace n on n.oid = t.typnamespace
  join pg_enum e on e.enumtypid = t.oid
 where n.nspname = any($1::text[])
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
 group by n.nspname, t.typname
 order by n.nspname, t.typname
