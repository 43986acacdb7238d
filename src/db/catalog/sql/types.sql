-- The types of $1 (oids) with what codegen needs to map them to TypeScript: enum labels in sort
-- order, and for composite types (table, view or standalone row types) their attributes with the
-- NOT NULL flag (only tables set it).
select t.oid::int as oid,
       n.nspname as schema,
       t.typname as name,
       format_type(t.oid, null) as sql_name,
       t.typcategory as category,
       t.typtype as kind,
       t.typelem::int as elem,
       t.typbasetype::int as base,
       coalesce((select array_agg(e.enumlabel::text order by e.enumsortorder)
                   from pg_enum e where e.enumtypid = t.oid), '{}'::text[]) as enum_values,
       coalesce((select json_agg(json_build_object('name', a.attname, 'typeOid', a.atttypid::int, 'notNull', a.attnotnull)
                                 order by a.attnum)
                   from pg_attribute a
                  where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '[]') as attributes
  from pg_type t
  join pg_namespace n on n.oid = t.typnamespace
 where t.oid = any($1::oid[])
