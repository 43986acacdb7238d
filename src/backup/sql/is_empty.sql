-- What a restore target already holds: anything listed here makes it non-empty.
select 'schema' as kind, nspname::text as name
  from pg_namespace
 where nspname not in ('public', 'pg_catalog', 'information_schema') and nspname !~ '^pg_'
union all
select 'relation', c.relname::text
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
union all
select 'extension', extname::text from pg_extension where extname <> 'plpgsql'
union all
select 'function', p.proname::text
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname = 'public'
   and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
order by 1, 2
