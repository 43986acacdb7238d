import { createHash } from 'crypto';
import { Queryable } from './pool';
import { toGovdbError } from './sqlErrors';

/** What the generated wrappers know about a stored function (from pg_proc). */
export interface FunctionSpec {
  schema: string;
  name: string;
  /** input parameters in declaration order: TS key, SQL name, SQL type for the cast, JSON-encode? */
  params: ReadonlyArray<{ key: string; sqlName: string; sqlType: string; json: boolean }>;
  returns: 'rows' | 'row' | 'scalar' | 'void';
}

const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = 'gv_' + createHash('sha1').update(text).digest('hex').slice(0, 16);
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Calls a stored function with named notation and explicit casts; arguments left undefined take the
 * function's defaults. The statement is prepared once per connection (named), so a call is one round
 * trip. Errors come back as GovdbError with the function's stable code.
 */
export async function callFunction<R>(db: Queryable, spec: FunctionSpec, args: Record<string, unknown>): Promise<R> {
  const values: unknown[] = [];
  const parts: string[] = [];
  for (const p of spec.params) {
    const value = args[p.key];
    if (value === undefined) continue;
    values.push(p.json && value !== null ? JSON.stringify(value) : value);
    parts.push(`${p.sqlName} => $${values.length}::${p.sqlType}`);
  }
  const call = `${spec.schema}.${spec.name}(${parts.join(', ')})`;
  const text = spec.returns === 'rows' || spec.returns === 'row' ? `select * from ${call}` : `select ${call} as value`;
  let result;
  try {
    result = await db.query({ name: statementName(text), text, values });
  } catch (err) {
    throw toGovdbError(err);
  }
  switch (spec.returns) {
    case 'rows':
      return result.rows as R;
    case 'row':
      return result.rows[0] as R;
    case 'scalar':
      return result.rows[0]?.value as R;
    case 'void':
      return undefined as R;
  }
}
