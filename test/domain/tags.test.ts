import fc from 'fast-check';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * core.normalize_tags (sql/functions/tags.sql) is the one tag normaliser: agent tags use it sorted,
 * discovery tags in first-seen order. Properties over arbitrary tag lists, evaluated by PostgreSQL:
 * the result is idempotent, lower-cased, trimmed, without blanks or duplicates, keeps exactly the
 * normalised forms of the input in first-seen order, and the sorted form is that set in collation order.
 * Trimming is ECMAScript's String.prototype.trim (the reference here), so a tag an MCP client trims
 * and the same tag in a legacy file normalise alike; lower-casing is PostgreSQL's lower().
 */

// tag characters: letters whose case mapping is special, spaces and other whitespace, any code point
// PostgreSQL text can hold (no NUL, no lone surrogates)
const unit = fc.oneof(
  fc.constantFrom(' ', ' ', '  ', 'a', 'A', 'z', 'Z', 'é', 'É', 'ß', 'İ', 'ı', 'Σ', 'ς', '\t', '\n', '\r', '\v', '\f', '\u00a0',
    '\u1680', '\u2000', '\u2007', '\u200a', '\u200b', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u0085',
    '\u0007', '\u001b', '\u00ad', '\u202e', '\u2066', '\u0301', 'e\u0301', '\u00e9',
    ',', "'", '"', '\\', '{', '}'),
  fc.integer({ min: 1, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
);
const tag = fc.oneof(fc.string({ unit, maxLength: 6 }), fc.constantFrom('', ' ', 'Ops', ' ops ', 'OPS'));
const tagList = fc.option(fc.array(fc.option(tag, { nil: null }), { maxLength: 8 }), { nil: null });

let db: TestDatabase;
beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db?.drop();
});

interface Normalised {
  first: string[];
  sorted: string[];
  first_again: string[];
  sorted_again: string[];
  /** lower(clean(x)) of each input element, in input order (null for a null element) */
  keys: Array<string | null> | null;
  clean: boolean;
  first_in_collation_order: string[];
}

// the reference of core.clean_tag up to lower-casing: the characters the MCP tools refuse in names
// (src/mcp/boundary.ts) removed or, for control characters, made a space; NFC; String.prototype.trim
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/gu;
// eslint-disable-next-line no-control-regex -- the control characters are what this reference replaces
const CONTROL = /[\u0001-\u001f\u007f-\u009f]/gu;
const clean = (t: string) => t.replace(INVISIBLE, '').replace(CONTROL, ' ').normalize('NFC').trim();

async function normalise(tags: Array<string | null> | null): Promise<Normalised> {
  const trimmed = tags?.map((t) => (t === null ? null : clean(t))) ?? null;
  const { rows } = await db.pool.query<Normalised>(
    `select core.normalize_tags($1::text[]) as first,
            core.normalize_tags($1::text[], true) as sorted,
            core.normalize_tags(core.normalize_tags($1::text[])) as first_again,
            core.normalize_tags(core.normalize_tags($1::text[], true), true) as sorted_again,
            array(select normalize(lower(u.x), NFC) from unnest($2::text[]) with ordinality as u(x, o) order by u.o) as keys,
            (select coalesce(bool_and(t = lower(t) and t <> ''), true)
               from unnest(core.normalize_tags($1::text[])) as t) as clean,
            array(select t from unnest(core.normalize_tags($1::text[])) as t order by t) as first_in_collation_order`,
    [tags, trimmed],
  );
  return rows[0]!;
}

test('normalize_tags is idempotent, lower-cased, trimmed, without blanks or duplicates, in first-seen order or sorted', async () => {
  await fc.assert(
    fc.asyncProperty(tagList, async (tags) => {
      const n = await normalise(tags);
      expect(n.clean).toBe(true);
      for (const t of n.first) expect(t).toBe(t.trim());
      expect(new Set(n.first).size).toBe(n.first.length);
      // exactly the non-blank normalised inputs, each at its first occurrence
      const expected = [...new Set((n.keys ?? []).filter((k): k is string => k !== null && k !== ''))];
      expect(n.first).toEqual(expected);
      expect(n.sorted).toEqual(n.first_in_collation_order);
      expect(n.first_again).toEqual(n.first);
      expect(n.sorted_again).toEqual(n.sorted);
    }),
    { numRuns: 300 },
  );
});

test('agent tags are stored sorted and discovery tags in first-seen order, both through core.normalize_tags', async () => {
  const input = [' Zeta', 'alpha', 'ZETA ', '', 'Mid'];
  const { rows: [r] } = await db.pool.query(
    `select core.check_agent_tags($1::text[]) as agent, core.normalize_tags($1::text[]) as discovery`, [input]);
  expect(r.agent).toEqual(['alpha', 'mid', 'zeta']);
  expect(r.discovery).toEqual(['zeta', 'alpha', 'mid']);
  const { rows: [agent] } = await db.pool.query(`select tags from core.onboard_agent(p_tags => $1::text[])`, [input]);
  expect(agent.tags).toEqual(['alpha', 'mid', 'zeta']);
  const { rows: [d] } = await db.pool.query(
    `select tags from knowledge.store_discovery(p_agent_id => $1, p_summary => 'tag order', p_tags => $2::text[])`,
    [(await db.pool.query(`select agent_id from core.onboard_agent()`)).rows[0].agent_id, input]);
  expect(d.tags).toEqual(['zeta', 'alpha', 'mid']);
});

test('the two normalisers it replaced are gone', async () => {
  const { rows: [r] } = await db.pool.query(
    `select to_regprocedure('core.normalize_agent_tags(text[])') as agent, to_regprocedure('knowledge.normalize_tags(text[])') as knowledge`);
  expect(r).toEqual({ agent: null, knowledge: null });
});
