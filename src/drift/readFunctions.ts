import { createHash } from 'crypto';
import { Queryable } from '../db/pool';
import { readFunctions as readCatalogFunctions } from '../db/catalog';
import { IntrospectScope, RawEntry } from './catalogSql';

const PROKIND: Record<string, string> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window function' };
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
  return (await readCatalogFunctions(db, scope.schemas)).map((f) => {
    const kind = PROKIND[f.prokind] ?? f.prokind;
    const attrs: RawEntry['attrs'] = {
      kind,
      arguments: f.argumentsSql,
      returns: f.resultSql,
      language: f.language,
      volatility: f.volatility,
      strict: f.strict,
      securityDefiner: f.securityDefiner,
      leakproof: f.leakproof,
      parallel: PARALLEL[f.parallel] ?? f.parallel,
      config: f.config ? [...f.config].sort() : [],
      cost: f.cost,
      body: bodyHash(f.body ?? ''),
    };
    if (f.returnsSet) attrs.rows = f.rows;
    return { kind: 'function', key: f.key, group: `${kind} ${f.key}`, attrs };
  });
}
