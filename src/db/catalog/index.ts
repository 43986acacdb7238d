import { readFileSync } from 'fs';
import path from 'path';
import { Queryable } from '../pool';

/**
 * The one reader of the PostgreSQL routine and type catalogs (pg_proc, pg_type, pg_enum): codegen
 * (src/db/codegen) builds the typed wrappers from it and drift (src/drift) compares it with the
 * schema snapshot, so both see the same set of functions the same way.
 */

const sqlCache = new Map<string, string>();
/** The SQL of src/db/catalog/sql/<name>.sql (read from the project tree, also when running from dist/). */
function catalogSql(name: string): string {
  let text = sqlCache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'db', 'catalog', 'sql', `${name}.sql`), 'utf8');
    sqlCache.set(name, text);
  }
  return text;
}

export type ParamMode = 'i' | 'o' | 'b' | 'v' | 't';

export interface CatalogParam {
  /** SQL name, or `argN` (1-based) for an unnamed parameter */
  name: string;
  /** proargmodes: i in, o out, b inout, v variadic, t table column */
  mode: ParamMode;
  typeOid: number;
  /** an input parameter with a DEFAULT (may be omitted in a named-notation call) */
  hasDefault: boolean;
}

/** One routine of pg_proc, as both consumers need it. */
export interface CatalogFunction {
  /** `schema.name(argument types)` (regprocedure text): the routine's identity */
  key: string;
  schema: string;
  name: string;
  /** prokind: f function, p procedure, a aggregate, w window function */
  prokind: 'f' | 'p' | 'a' | 'w';
  /** pg_get_function_identity_arguments, e.g. `p_id text, p_limit integer` */
  identityArgs: string;
  /** pg_get_function_arguments (with defaults) and pg_get_function_result, as SQL text */
  argumentsSql: string;
  resultSql: string | null;
  params: CatalogParam[];
  returnTypeOid: number;
  returnsTrigger: boolean;
  returnsSet: boolean;
  language: string;
  volatility: 'immutable' | 'stable' | 'volatile';
  strict: boolean;
  securityDefiner: boolean;
  leakproof: boolean;
  /** proparallel: s safe, r restricted, u unsafe */
  parallel: string;
  config: string[] | null;
  /** procost and prorows as text (exact, as the catalog has them) */
  cost: string;
  rows: string;
  /** SQL-standard body (pg_get_function_sqlbody) or prosrc */
  body: string | null;
  /** COMMENT ON FUNCTION text, null when there is none */
  comment: string | null;
}

const VOLATILITY = { i: 'immutable', s: 'stable', v: 'volatile' } as const;

interface FunctionRow {
  key: string; schema: string; name: string; prokind: CatalogFunction['prokind']; identity_args: string; args: string;
  result: string | null; arg_types: number[] | null; arg_modes: string[] | null; arg_names: string[] | null;
  nargdefaults: number; ret_type: number; returns_trigger: boolean; proretset: boolean; lanname: string;
  provolatile: keyof typeof VOLATILITY; proisstrict: boolean; prosecdef: boolean; proleakproof: boolean;
  proparallel: string; proconfig: string[] | null; cost: string; rows: string; body: string | null; comment: string | null;
}

/** Every routine of `schemas` that no extension owns, ordered by schema, name and arguments. */
export async function readFunctions(db: Queryable, schemas: readonly string[]): Promise<CatalogFunction[]> {
  const result = await db.query<FunctionRow>(catalogSql('functions'), [schemas]);
  return result.rows.map((r) => {
    const types = r.arg_types ?? [];
    const modes = (r.arg_modes ?? types.map(() => 'i')) as ParamMode[];
    const names = r.arg_names ?? [];
    const inputs = types.map((_, i) => i).filter((i) => modes[i] === 'i' || modes[i] === 'b' || modes[i] === 'v');
    // defaults belong to the last pronargdefaults input parameters
    const firstDefault = inputs.length - r.nargdefaults;
    return {
      key: r.key, schema: r.schema, name: r.name, prokind: r.prokind, identityArgs: r.identity_args,
      argumentsSql: r.args, resultSql: r.result,
      params: types.map((typeOid, i) => ({
        name: names[i] || `arg${i + 1}`,
        mode: modes[i]!,
        typeOid,
        hasDefault: inputs.indexOf(i) >= firstDefault,
      })),
      returnTypeOid: r.ret_type, returnsTrigger: r.returns_trigger, returnsSet: r.proretset, language: r.lanname,
      volatility: VOLATILITY[r.provolatile], strict: r.proisstrict, securityDefiner: r.prosecdef, leakproof: r.proleakproof,
      parallel: r.proparallel, config: r.proconfig, cost: r.cost, rows: r.rows, body: r.body, comment: r.comment,
    };
  });
}

export interface CatalogType {
  oid: number;
  schema: string;
  name: string;
  /** format_type text usable in a cast */
  sqlName: string;
  category: string;
  /** typtype: b base, c composite, e enum, p pseudo, d domain, r range, m multirange */
  kind: string;
  elemOid: number;
  baseOid: number;
  enumValues: string[];
  /** composite types: attributes in order; notNull is the column's NOT NULL (tables only) */
  attributes: { name: string; typeOid: number; notNull: boolean }[];
}

interface TypeRow {
  oid: number; schema: string; name: string; sql_name: string; category: string; kind: string; elem: number; base: number;
  enum_values: string[]; attributes: CatalogType['attributes'];
}

/** The types of `oids` and, transitively, of their elements, base types and attributes. */
export async function readTypes(db: Queryable, oids: number[]): Promise<Map<number, CatalogType>> {
  const types = new Map<number, CatalogType>();
  let pending = [...new Set(oids)];
  while (pending.length) {
    const result = await db.query<TypeRow>(catalogSql('types'), [pending]);
    const next: number[] = [];
    for (const r of result.rows) {
      const type: CatalogType = {
        oid: r.oid, schema: r.schema, name: r.name, sqlName: r.sql_name, category: r.category, kind: r.kind,
        elemOid: r.elem, baseOid: r.base, enumValues: r.enum_values, attributes: r.attributes,
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

export interface CatalogEnum {
  schema: string;
  name: string;
  /** schema.name quoted where PostgreSQL would quote it (quote_ident), as drift keys name objects */
  qualified_name: string;
  /** labels in enumsortorder */
  labels: string[];
}

/** Every enum type of `schemas` that no extension owns, ordered by schema and name. */
export async function readEnums(db: Queryable, schemas: readonly string[]): Promise<CatalogEnum[]> {
  return (await db.query<CatalogEnum>(catalogSql('enums'), [schemas])).rows;
}
