-- Every routine (function, procedure, aggregate, window function) of the schemas in $1 that is
-- not a member of an extension: what drift compares and what codegen wraps (codegen keeps the
-- plain functions that do not return trigger).
select p.oid::regprocedure::text as key,
       n.nspname as schema,
       p.proname as name,
       p.prokind,
       pg_get_function_identity_arguments(p.oid) as identity_args,
       pg_get_function_arguments(p.oid) as args,
       pg_get_function_result(p.oid) as result,
       coalesce(p.proallargtypes, p.proargtypes::oid[])::int[] as arg_types,
       p.proargmodes::text[] as arg_modes,
       p.proargnames as arg_names,
       p.pronargdefaults::int as nargdefaults,
       p.prorettype::int as ret_type,
       p.prorettype = 'trigger'::regtype as returns_trigger,
       p.proretset,
       l.lanname,
       p.provolatile,
       p.proisstrict,
       p.prosecdef,
       p.proleakproof,
       p.proparallel,
       p.proconfig,
       p.procost::text as cost,
       p.prorows::text as rows,
       case when p.prosqlbody is not null then pg_get_function_sqlbody(p.oid) else p.prosrc end as body,
       obj_description(p.oid, 'pg_proc') as comment
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  join pg_language l on l.oid = p.prolang
 where n.nspname = any($1::text[])
   and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
 order by n.nspname, p.proname, identity_args
