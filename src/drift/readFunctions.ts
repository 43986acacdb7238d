import { createHash } from 'crypto';
import { Queryable } from '../db/pool';
import { IntrospectScope, notExtensionMember, RawEntry } from './catalogSql';

const PROKIND: Record<string, string> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window function' };
const VOLATILITY: Record<string, string> = { i: 'immutable', s: 'stable', v: 'volatile' };
const PARALLEL: Record<string, string> = { s: 'safe', r: 'restricted', u: 'unsafe' };

/**
 * Body hash: whitespace runs collapsed and the ends trimmed, so re-indenting a function is not
 * drift while any change to its tokens is.
 */
export function bodyHash(body: string): string {
  return 'sha256:' + createHash('sha256').update(body.replace(/\s+/g, ' ').trim()).digest('hex');
}

/** Functions, procedures and aggregates, keyed by `schema.name(argument types)` (regprocedure). */
export async function readFunctions(db: Queryable, scope: IntrospectScope): Promise<RawEntry[]> {
  const result = await db.query(
    `select p.oid::regprocedure::text as key, p.prokind, pg_get_function_arguments(p.oid) as args,
            pg_get_function_result(p.oid) as result, l.lanname, p.provolatile, p.proisstrict, p.prosecdef,
            p.proleakproof, p.proparallel, p.proconfig, p.procost::text as cost, p.prorows::text as rows, p.proretset,
            case when p.prosqlbody is not null then pg_get_function_sqlbody(p.oid) else p.prosrc end as body
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
      where n.nspname = any($1::text[]) and ${notExtensionMember('pg_proc', 'p.oid')}`,
    [scope.schemas],
  );
  return result.rows.map((f) => {
    const kind = PROKIND[f.prokind] ?? f.prokind;
    const attrs: RawEntry['attrs'] = {
      kind,
      arguments: f.args,
      returns: f.result,
      language: f.lanname,
      volatility: VOLATILITY[f.provolatile] ?? f.provolatile,
      strict: f.proisstrict,
      securityDefiner: f.prosecdef,
      leakproof: f.proleakproof,
      parallel: PARALLEL[f.proparallel] ?? f.proparallel,
      config: f.proconfig ? [...f.proconfig].sort() : [],
      cost: f.cost,
      body: bodyHash(f.body ?? ''),
    };
    if (f.proretset) attrs.rows = f.rows;
    return { kind: 'function', key: f.key, group: `${kind} ${f.key}`, attrs };
  });
}
