import { Queryable } from '../pool';

export interface PgParam {
  name: string;
  mode: 'i' | 'o' | 'b' | 'v' | 't';
  typeOid: number;
  hasDefault: boolean;
}

export interface PgFunction {
  schema: string;
  name: string;
  identityArgs: string;
  params: PgParam[];
  returnTypeOid: number;
  returnsSet: boolean;
  volatility: 'immutable' | 'stable' | 'volatile';
  strict: boolean;
  comment: string | null;
}

export interface PgType {
  oid: number;
  name: string;
  /** format_type text usable in a cast */
  sqlName: string;
  category: string;
  kind: string; // typtype: b base, c composite, e enum, p pseudo, d domain
  elemOid: number;
  enumValues: string[];
  /** for composite types: attribute names and type oids */
  attributes: { name: string; typeOid: number }[];
  baseOid: number;
}

export const FUNCTION_SCHEMAS = ['core', 'knowledge', 'audit'];

/** Functions of our schemas that are callable (not triggers, not owned by an extension). */
export async function readFunctions(db: Queryable): Promise<PgFunction[]> {
  const result = await db.query(
    `select n.nspname as schema, p.proname as name, pg_get_function_identity_arguments(p.oid) as identity_args,
            coalesce(p.proallargtypes, p.proargtypes::oid[]) as arg_types,
            p.proargmodes::text[] as arg_modes, p.proargnames as arg_names, p.pronargs, p.pronargdefaults,
            p.prorettype::int as ret_type, p.proretset, p.provolatile, p.proisstrict,
            obj_description(p.oid, 'pg_proc') as comment
       from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any($1) and p.prokind = 'f'
        and p.prorettype <> 'trigger'::regtype
        and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
      order by n.nspname, p.proname, identity_args`,
    [FUNCTION_SCHEMAS],
  );
  return result.rows.map((r) => {
    const types: number[] = (r.arg_types ?? []).map(Number);
    const modes: string[] = r.arg_modes ?? types.map(() => 'i');
    const names: string[] = r.arg_names ?? [];
    const inputs = types.map((_, i) => i).filter((i) => ['i', 'b', 'v'].includes(modes[i]!));
    const firstDefault = inputs.length - Number(r.pronargdefaults);
    return {
      schema: r.schema,
      name: r.name,
      identityArgs: r.identity_args,
      params: types.map((typeOid, i) => ({
        name: names[i] || `arg${i + 1}`,
        mode: modes[i] as PgParam['mode'],
        typeOid,
        hasDefault: inputs.indexOf(i) >= firstDefault && inputs.includes(i),
      })),
      returnTypeOid: Number(r.ret_type),
      returnsSet: r.proretset,
      volatility: ({ i: 'immutable', s: 'stable', v: 'volatile' } as const)[r.provolatile as 'i' | 's' | 'v'],
      strict: r.proisstrict,
      comment: r.comment,
    };
  });
}

export async function readTypes(db: Queryable, oids: number[]): Promise<Map<number, PgType>> {
  const types = new Map<number, PgType>();
  let pending = [...new Set(oids)];
  while (pending.length) {
    const result = await db.query(
      `select t.oid::int, t.typname, format_type(t.oid, null) as sql_name, t.typcategory, t.typtype,
              t.typelem::int as elem, t.typbasetype::int as base,
              coalesce((select array_agg(e.enumlabel::text order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '{}'::text[]) as enum_values,
              coalesce((select json_agg(json_build_object('name', a.attname, 'typeOid', a.atttypid::int) order by a.attnum)
                          from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '[]') as attributes
         from pg_type t where t.oid = any($1::oid[])`,
      [pending],
    );
    const next: number[] = [];
    for (const r of result.rows) {
      const type: PgType = {
        oid: r.oid, name: r.typname, sqlName: r.sql_name, category: r.typcategory, kind: r.typtype,
        elemOid: r.elem, enumValues: r.enum_values, attributes: r.attributes, baseOid: r.base,
      };
      types.set(type.oid, type);
      for (const o of [type.elemOid, type.baseOid, ...type.attributes.map((a) => a.typeOid)]) {
        if (o && !types.has(o)) next.push(o);
      }
    }
    pending = [...new Set(next)].filter((o) => !types.has(o));
  }
  return types;
}
