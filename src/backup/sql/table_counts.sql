-- Rows of every ordinary table (partitions and AGE label tables included, each counted ONLY in
-- itself), in the caller's snapshot. One round trip: query_to_xml runs each count in this statement.
select n.nspname::text as schema_name,
       c.relname::text as table_name,
       (xpath('/row/c/text()',
              query_to_xml(format('select count(*) as c from only %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint as row_count
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
 where c.relkind = 'r'
   and n.nspname not in ('pg_catalog', 'information_schema')
   and n.nspname !~ '^pg_'
 order by 1, 2
