import fc from 'fast-check';
import { knowledge } from '../../src/db/generated/functions';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * The phrase index of search (migrations 000017-000018): GIN on knowledge.tsv_bigrams(summary_vector), and
 * knowledge.search_discoveries collects a phrase's candidates with
 * `tsv_bigrams(summary_vector) @> knowledge.tsquery_phrase_pairs(query)` before rechecking them with @@. That is
 * correct only if the probe never misses a row the phrase matches: checked here on random text. For a
 * phrase of two lexemes the probe is exact (holding the pair is the match); for three or more it is a
 * superset (the pairs may lie apart), hence the recheck.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => db.drop());

// words with stop words, stems that collide (risk/risks), hyphenated and apostrophe forms, digits
const WORDS = ['risk', 'risks', 'drift', 'drifting', 'agent', 'of', 'the', 'and', 'a', 'governance', 'self-aware',
  "o'neil", 'x1', 'calibration', 'threshold', 'drift-risk', 'AGENT', 'is', 'not', 'v2.1', 'risk:*', 'it\'s'];
const text = (min: number, max: number) => fc.array(fc.constantFrom(...WORDS), { minLength: min, maxLength: max }).map((w) => w.join(' '));

interface Verdict {
  matched: boolean;
  pairs: string[] | null;
  contained: boolean | null;
  lexemes: number;
}

/** For each (summary, query): does the phrase match, its pairs, and do the summary's pairs hold them all. */
async function judge(cases: [string, string][]): Promise<Verdict[]> {
  const { rows } = await db.pool.query<Verdict>(
    `select to_tsvector('english', c.s) @@ q.tsq as matched,
            knowledge.tsquery_phrase_pairs(q.tsq) as pairs,
            knowledge.tsv_bigrams(to_tsvector('english', c.s)) @> knowledge.tsquery_phrase_pairs(q.tsq) as contained,
            numnode(q.tsq) as lexemes
       from unnest($1::text[], $2::text[]) with ordinality as c(s, q, o)
       cross join lateral (select websearch_to_tsquery('english', c.q) as tsq) q
      order by c.o`,
    [cases.map((c) => c[0]), cases.map((c) => c[1])]);
  return rows;
}

test('the bigram probe never misses a row the phrase matches; for two lexemes it is exact', async () => {
  let probed = 0;
  let matchedProbed = 0;
  let twoLexemes = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(text(1, 14), text(2, 4).map((q) => `"${q}"`)), { minLength: 20, maxLength: 40 }),
      async (cases) => {
        const verdicts = await judge(cases);
        verdicts.forEach((v, i) => {
          if (v.pairs === null) return;
          probed++;
          if (v.matched) {
            matchedProbed++;
            expect({ case: cases[i], contained: v.contained }).toEqual({ case: cases[i], contained: true });
          }
          // numnode of 'a' <-> 'b' is 3 (two lexemes, one operator): one pair, held exactly by the matches
          if (v.lexemes === 3) {
            twoLexemes++;
            expect({ case: cases[i], contained: v.contained }).toEqual({ case: cases[i], contained: v.matched });
          }
        });
      }),
    { numRuns: 60 });
  // not vacuous: many phrases took the probe, and many of those matched
  expect(probed).toBeGreaterThan(300);
  expect(matchedProbed).toBeGreaterThan(20);
  expect(twoLexemes).toBeGreaterThan(100);
});

test('three lexemes: the pairs may lie apart, so the probe is a superset that needs the recheck', async () => {
  const [v] = await judge([['risk drift then drift agent', '"risk drift agent"']]);
  expect(v).toEqual({ matched: false, pairs: ['drift agent', 'risk drift'], contained: true, lexemes: 5 });
});

test('only a phrase of plain lexemes has pairs', async () => {
  const { rows } = await db.pool.query<{ q: string; pairs: string[] | null }>(
    `select q, knowledge.tsquery_phrase_pairs(q::tsquery) as pairs from unnest($1::text[]) q`,
    [[`'risk' <-> 'drift'`, `'risk' <-> 'drift' <-> 'risk' <-> 'drift'`, `'risk' <2> 'drift'`, `'risk' & 'drift'`,
      `'risk':* <-> 'drift'`, `'risk':A <-> 'drift'`, `'risk' <-> 'drift' & 'agent'`, `!('risk' <-> 'drift')`,
      `'risk'`, `'o''neil' <-> 'drift'`, `'a b' <-> 'c'`]]);
  expect(rows.map((r) => [r.q, r.pairs])).toEqual([
    [`'risk' <-> 'drift'`, ['risk drift']],
    [`'risk' <-> 'drift' <-> 'risk' <-> 'drift'`, ['drift risk', 'risk drift']],
    [`'risk' <2> 'drift'`, null],
    [`'risk' & 'drift'`, null],
    [`'risk':* <-> 'drift'`, null],
    [`'risk':A <-> 'drift'`, null],
    [`'risk' <-> 'drift' & 'agent'`, null],
    [`!('risk' <-> 'drift')`, null],
    [`'risk'`, null],
    [`'o''neil' <-> 'drift'`, null],
    [`'a b' <-> 'c'`, null],
  ]);
});

test('rows stored, imported and updated are found through the index of their pairs', async () => {
  await db.pool.query(`insert into core.agents (id, label, status) values ('bg_agent', 'Bigram agent', 'active')`);
  await knowledge.storeDiscovery(db.pool, { agentId: 'bg_agent', summary: 'Risk of drift: the agent drifts', id: 'bg_1' });
  await knowledge.storeDiscovery(db.pool, { agentId: 'bg_agent', summary: 'agent drift', id: 'bg_3' });
  await db.pool.query(
    `select * from knowledge.import_discoveries($1::jsonb, 'test')`,
    [JSON.stringify([{ id: 'bg_2', agent_id: 'bg_agent', discovery_type: 'insight', summary: 'calibration threshold drift', status: 'open', references_files: [], provenance: {},
      details: '', tags: [], created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }])]);
  await db.pool.query(`update knowledge.discoveries set summary = 'governance agent' where id = 'bg_3'`);
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query('set local enable_seqscan = off');
    const probe = async (pairs: string[]) => {
      const sql = `select id from knowledge.discoveries where knowledge.tsv_bigrams(summary_vector) @> $1::text[] order by id`;
      const plan = (await client.query<{ 'QUERY PLAN': string }>(`explain ${sql}`, [pairs])).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toContain('discoveries_summary_bigrams_idx');
      return (await client.query<{ id: string }>(sql, [pairs])).rows.map((r) => r.id);
    };
    // 'of' keeps its position: risk and drift are not adjacent in bg_1
    expect(await probe(['agent drift'])).toEqual(['bg_1']);
    expect(await probe(['risk drift'])).toEqual([]);
    expect(await probe(['calibr threshold', 'threshold drift'])).toEqual(['bg_2']);
    expect(await probe(['govern agent'])).toEqual(['bg_3']);
    await client.query('rollback');
  } finally {
    client.release();
  }
});
