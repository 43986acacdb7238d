import fc from 'fast-check';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

// Migration 000015 re-spelled every format CHECK written with bounded repetition ({64}, {0,63}, …) as a
// char_length bound plus an unbounded bracket expression, which PostgreSQL's regex engine evaluates
// many times faster. This file proves the two spellings accept the same strings: each original
// expression (as the committed migrations 000001, 000002, 000004, 000005 and 000010 wrote it) and the
// constraint the migrated schema holds now are evaluated side by side in PostgreSQL over generated
// strings clustered around the length bounds, with characters just outside each class mixed in.

interface FormatCase {
  table: string;
  constraint: string;
  column: string;
  /** the original expression, verbatim from the committed migration */
  original: string;
  /** characters the rule accepts (the first one separately when it differs) */
  first?: string;
  rest: string;
  prefix?: string;
  /** the length bounds of the accepted strings, prefix included */
  min: number;
  max: number;
  /** other columns the expression reads, each value tried with every string */
  origin?: boolean;
  nullable?: boolean;
}

const HEX = '0123456789abcdef';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';

const cases: FormatCase[] = [
  { table: 'audit.events', constraint: 'events_content_hash_format', column: 'content_hash',
    original: `content_hash ~ '^[0-9a-f]{64}$'`, rest: HEX, min: 64, max: 64 },
  { table: 'audit.events', constraint: 'events_event_type_format', column: 'event_type',
    original: `event_type ~ '^[a-z][a-z0-9_.:-]{0,63}$'`, first: LOWER, rest: `${LOWER}${DIGITS}_.:-`, min: 1, max: 64 },
  { table: 'audit.tool_usage', constraint: 'tool_usage_content_hash_format', column: 'content_hash',
    original: `content_hash ~ '^[0-9a-f]{64}$'`, rest: HEX, min: 64, max: 64 },
  { table: 'audit.tool_usage', constraint: 'tool_usage_tool_name_format', column: 'tool_name',
    original: `tool_name ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,127}$'`, first: LOWER + UPPER, rest: `${LOWER}${UPPER}${DIGITS}_.:-`, min: 1, max: 128 },
  { table: 'audit.mirror_rejects', constraint: 'mirror_rejects_line_sha256_format', column: 'line_sha256',
    original: `line_sha256 ~ '^[0-9a-f]{64}$'`, rest: HEX, min: 64, max: 64 },
  { table: 'core.agents', constraint: 'agents_id_format', column: 'id', origin: true,
    original: `id ~ '^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,127}$'
      or (origin = 'legacy' and char_length(id) between 1 and 256 and id !~ '[[:cntrl:]]')`,
    first: LOWER + UPPER + DIGITS, rest: `${LOWER}${UPPER}${DIGITS}_.:@+-`, min: 1, max: 128 },
  { table: 'core.agents', constraint: 'agents_api_key_hash_format', column: 'api_key_hash', nullable: true,
    original: `api_key_hash is null or api_key_hash ~ '^sha256:[0-9a-f]{64}$'`, prefix: 'sha256:', rest: HEX, min: 71, max: 71 },
  { table: 'core.agent_state', constraint: 'agent_state_regime_format', column: 'regime',
    original: `regime ~ '^[A-Z_]{1,32}$'`, rest: `${UPPER}_`, min: 1, max: 32 },
  { table: 'core.idempotency_keys', constraint: 'idempotency_keys_request_id_format', column: 'request_id',
    original: `request_id ~ '^[A-Za-z0-9_.:-]{1,128}$'`, rest: `${LOWER}${UPPER}${DIGITS}_.:-`, min: 1, max: 128 },
  { table: 'core.idempotency_keys', constraint: 'idempotency_keys_request_hash_format', column: 'request_hash',
    original: `request_hash ~ '^[0-9a-f]{64}$'`, rest: HEX, min: 64, max: 64 },
  { table: 'knowledge.discoveries', constraint: 'discoveries_id_format', column: 'id',
    original: `id ~ '^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}$'`, first: LOWER + UPPER + DIGITS, rest: `${LOWER}${UPPER}${DIGITS}_.:+-`, min: 1, max: 128 },
  { table: 'knowledge.discoveries', constraint: 'discoveries_type_format', column: 'discovery_type',
    original: `discovery_type ~ '^[a-z][a-z0-9_]{0,63}$'`, first: LOWER, rest: `${LOWER}${DIGITS}_`, min: 1, max: 64 },
  { table: 'knowledge.summary_words', constraint: 'summary_words_format', column: 'word',
    original: `word ~ '^[[:alnum:]]{1,64}$'`, rest: `${LOWER}${UPPER}${DIGITS}éßж٣`, min: 1, max: 64 },
];

// just outside the classes above: neighbours of the ranges in code-point order, separators, white
// space and line ends (`$` must not match before a trailing newline), non-ASCII letters and digits
const OUTSIDE = [...'gzG`{@[/\\;<=>?!"#$%&\'()*,| \t\n\rAZaz09_.:+-@éßж٣²ﬁ\u00a0\u200b\u{1F600}'];

function chars(s: string): string[] {
  return [...s];
}

/** Strings of the rule's own characters at lengths around its bounds, then 0–3 characters replaced or cut. */
function nearBoundary(c: FormatCase): fc.Arbitrary<string | null> {
  const prefix = c.prefix ?? '';
  const lengths = [c.min - 1, c.min, c.min + 1, c.max - 1, c.max, c.max + 1, c.max + 2, 0]
    .map((n) => n - prefix.length).filter((n) => n >= 0);
  const length = fc.oneof(fc.constantFrom(...lengths), fc.integer({ min: 0, max: c.max + 8 }));
  const body = length.chain((n) => fc.tuple(
    fc.constantFrom(...chars(c.first ?? c.rest)),
    fc.array(fc.constantFrom(...chars(c.rest)), { minLength: Math.max(0, n - 1), maxLength: Math.max(0, n - 1) }),
  ).map(([head, tail]) => (n === 0 ? '' : head + tail.join(''))));
  const edit = fc.record({ at: fc.nat(), ch: fc.constantFrom(...OUTSIDE, ...chars(c.rest)) });
  const edits = fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }), weight: 3 });
  const mutated = fc.tuple(body, edits, fc.boolean()).map(([s, changes, keepPrefix]) => {
    const cs = [...s];
    for (const e of changes) if (cs.length) cs[e.at % cs.length] = e.ch;
    return (keepPrefix || !prefix ? prefix : prefix.slice(0, -1) + 'x') + cs.join('');
  });
  return c.nullable ? fc.oneof(mutated, fc.constant(null)) : mutated;
}

describe('format checks without bounded repetition (migration 000015)', () => {
  let db: TestDatabase;
  let current: Map<string, { expression: string; validated: boolean }>;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    const { rows } = await db.pool.query<{ name: string; def: string; validated: boolean }>(
      `select conrelid::regclass::text || '.' || conname as name, pg_get_constraintdef(oid) as def, convalidated as validated
         from pg_constraint where contype = 'c' and conrelid::regclass::text = any($1::text[])`,
      [[...new Set(cases.map((c) => c.table))]]);
    current = new Map(rows.map((r) => [r.name, { expression: r.def.replace(/^CHECK /, ''), validated: r.validated }]));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('leaves no CHECK in the schema with bounded repetition, and one validated check per rule', async () => {
    const { rows } = await db.pool.query<{ name: string }>(
      `select conrelid::regclass::text || '.' || conname as name from pg_constraint
        where contype = 'c' and pg_get_constraintdef(oid) ~ '\\{[0-9]+(,[0-9]*)?\\}'`);
    expect(rows.map((r) => r.name)).toEqual([]);
    for (const c of cases) expect(current.get(`${c.table}.${c.constraint}`)).toMatchObject({ validated: true });
    expect([...current.keys()].filter((k) => k.endsWith('_next'))).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.table}.${c.constraint}`, c] as const))('%s accepts exactly what the original accepted', async (name, c) => {
    const now = current.get(name);
    if (!now) throw new Error(`no check ${name} in the migrated schema`);
    const sql = `select t.${c.column} as value, ${c.origin ? 'o.origin' : 'null::text'} as origin,
        (${c.original}) is not false as original, (${now.expression}) is not false as current
      from unnest($1::text[]) as t(${c.column})
      ${c.origin ? `cross join (values ('live'), ('legacy')) as o(origin)` : ''}`;
    await fc.assert(fc.asyncProperty(fc.array(nearBoundary(c), { minLength: 20, maxLength: 120 }), async (values) => {
      const { rows } = await db.pool.query<{ value: string | null; origin: string | null; original: boolean; current: boolean }>(sql, [values]);
      const differing = rows.filter((r) => r.original !== r.current);
      expect(differing).toEqual([]);
    }), { numRuns: 40 });
  });

  it('generates both accepted and refused strings for every rule (the property is not vacuous)', async () => {
    for (const c of cases) {
      const values = fc.sample(nearBoundary(c), { numRuns: 400, seed: 18 });
      const { rows } = await db.pool.query<{ accepted: number; refused: number }>(
        `select count(*) filter (where ok)::int as accepted, count(*) filter (where not ok)::int as refused
           from (select (${c.original}) is not false as ok from unnest($1::text[]) as t(${c.column})
                 ${c.origin ? `cross join (values ('live')) as o(origin)` : ''}) s`, [values]);
      const [counts] = rows;
      expect({ name: c.constraint, accepted: (counts?.accepted ?? 0) > 20, refused: (counts?.refused ?? 0) > 20 })
        .toEqual({ name: c.constraint, accepted: true, refused: true });
    }
  });
});
