import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * Every stored function of core, knowledge and audit carries a COMMENT (codegen copies it into the
 * generated wrapper's doc comment): a one-sentence summary first, then shapes, units and errors, and
 * optionally `@nonnull *` / `@nonnull a, b` lines naming result columns the body never leaves NULL.
 */

interface FunctionComment {
  name: string;
  signature: string;
  comment: string | null;
  /** names of the result columns (OUT / TABLE parameters, or the attributes of a composite result) */
  columns: string[];
}

let db: TestDatabase;
let functions: FunctionComment[];
beforeAll(async () => {
  db = await createMigratedDatabase();
  const { rows } = await db.pool.query<FunctionComment>(
    `select n.nspname || '.' || p.proname as name, p.oid::regprocedure::text as signature,
            obj_description(p.oid, 'pg_proc') as comment,
            coalesce(
              (select array_agg(a.name order by a.ord)
                 from unnest(p.proargnames, p.proargmodes) with ordinality as a(name, mode, ord)
                where a.mode in ('o', 'b', 't')),
              (select array_agg(att.attname::text order by att.attnum)
                 from pg_type t join pg_attribute att on att.attrelid = t.typrelid
                where t.oid = p.prorettype and t.typtype = 'c' and att.attnum > 0 and not att.attisdropped),
              '{}') as columns
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('core', 'knowledge', 'audit')
      order by 1`);
  functions = rows;
});
afterAll(async () => db.drop());

test('every function in core, knowledge and audit has a COMMENT that starts with a one-line summary', () => {
  expect(functions.length).toBeGreaterThan(100);
  const undocumented = functions
    .filter((f) => {
      const summary = (f.comment ?? '').split('\n')[0]!.trim();
      return summary.length < 10 || summary.startsWith('@');
    })
    .map((f) => f.signature);
  expect(undocumented).toEqual([]);
});

test('@nonnull lines come last and name only result columns of their function', () => {
  const problems: string[] = [];
  for (const f of functions) {
    const lines = (f.comment ?? '').split('\n');
    const first = lines.findIndex((l) => l.startsWith('@'));
    if (first < 0) continue;
    for (const line of lines.slice(first)) {
      const m = /^@nonnull (.+)$/.exec(line);
      if (!m) {
        problems.push(`${f.signature}: "${line}" after the first @ line is not an @nonnull line`);
        continue;
      }
      if (m[1]!.trim() === '*') continue;
      for (const column of m[1]!.split(',').map((c) => c.trim())) {
        if (!f.columns.includes(column)) problems.push(`${f.signature}: @nonnull names "${column}", not a result column (${f.columns.join(', ') || 'scalar result'})`);
      }
    }
  }
  expect(problems).toEqual([]);
});
