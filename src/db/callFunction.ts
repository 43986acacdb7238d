import { createHash } from 'crypto';
import { Queryable } from './pool';
import { GovdbError } from '../errors';
import { toGovdbError } from './sqlErrors';

/** What the generated wrappers know about a stored function (from pg_proc). */
export interface FunctionSpec {
  schema: string;
  name: string;
  /** input parameters in declaration order: TS key, SQL name, SQL type for the cast, JSON-encode? */
  params: ReadonlyArray<{ key: string; sqlName: string; sqlType: string; json: boolean }>;
  returns: 'rows' | 'row' | 'scalar' | 'void';
  /**
   * Result columns the function guarantees are never NULL (its COMMENT's `@nonnull`, or NOT NULL
   * columns of the table it returns rows of); `value` stands for a scalar result. The generated
   * types rely on it, so callFunction checks it.
   */
  nonNull?: readonly string[];
}

/**
 * A stored function returned NULL where its declaration promises a value: a bug in the function or
 * its `@nonnull` COMMENT, never the caller's fault, so INTERNAL with the function and column named
 * for the server log.
 */
function nullViolation(spec: FunctionSpec, column: string): GovdbError {
  const what = spec.returns === 'scalar' ? 'its result' : `result column ${column}`;
  return new GovdbError('INTERNAL', `Internal error: ${spec.schema}.${spec.name} returned NULL in ${what}, which it declares never NULL.`, {
    reason: 'NONNULL_VIOLATION', function: `${spec.schema}.${spec.name}`, column,
  });
}

function checkNonNull(spec: FunctionSpec, rows: ReadonlyArray<Record<string, unknown>>): void {
  const columns = spec.nonNull;
  if (!columns) return;
  for (const row of rows) {
    for (const column of columns) {
      if (row[column] === null || row[column] === undefined) throw nullViolation(spec, column);
    }
  }
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
 * trip. Errors come back as GovdbError with the function's stable code; a NULL in a column the spec
 * declares non-null is an INTERNAL GovdbError (reason NONNULL_VIOLATION, naming function and column).
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
  if (spec.returns !== 'void') checkNonNull(spec, spec.returns === 'rows' ? result.rows : result.rows.slice(0, 1));
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
