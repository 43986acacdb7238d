import { readFileSync } from 'fs';
import path from 'path';
import { PoolClient } from 'pg';
import { knowledge } from '../../src/db/generated/functions';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * knowledge.search_discoveries finds each tier's candidates in bounded steps fixed in its SQL (a walk of
 * the newest rows, a bounded GIN collection, an unbounded walk) instead of the planner's estimate.
 * Whatever step answers, the result must be the plain reading of the tiers (fixtures/searchReference.sql):
 * the same rows in the same order with the same ranks, over a corpus whose terms take every step
 * (fixtures/searchCorpus.sql).
 */
let db: TestDatabase;
const reference = readFileSync(path.join(__dirname, 'fixtures', 'searchReference.sql'), 'utf8');

beforeAll(async () => {
  db = await createMigratedDatabase();
  await db.pool.query(readFileSync(path.join(__dirname, 'fixtures', 'searchCorpus.sql'), 'utf8'));
  await db.pool.query('vacuum (analyze) knowledge.discoveries'); // the visibility map of a live table: index-only walks
}, 120_000);
afterAll(async () => db.drop());

const QUERIES = [
  'alphacommon', 'note', 'betarare', 'gammaold', 'deltadetail', 'epsilondetail', '"zeta eta"', '"eta zeta"',
  '"kappa lambda"', 'kappa lambda', 'betarare OR epsilondetail', 'alphacommon -gammaold', 'gammaold deltadetail',
  'w13 alphacommon', 'd7', '"theta zeta"', '"note alphacommon"', '"alphacommon gammaold"', '"gammaold zeta"',
  // phrases of plain lexemes probe the index of their pairs (migration 000018); the others take the loose path
  '"omicron pi rho"', '"omicron pi"', '"pi omicron"', '"rho pi omicron"', '"pi rho"', '"risk drift"', '"risks drifting"',
  '"risk of drift"', '"drift risk"', '"sigma sigma"', '"sigma sigma sigma"', '"sigma tau sigma"', '"tau sigma sigma"',
  '"upsilon phi"', '"phi upsilon"', '"chi psi"', '"psi chi"', '"omicron p"', '"chi psi" -note', '"chi psi" OR "omicron pi rho"',
  '"omicron pi rho" sigma', '"the chi psi"',
];

/**
 * Scans of an index (or sequential scans of a table) during one call: the statistics functions count
 * what the backend has not flushed yet, which may include earlier transactions, hence the difference.
 */
async function scansDuring(client: PoolClient, relation: string, call: () => Promise<unknown>): Promise<number> {
  const count = async () => Number((await client.query<{ n: string }>(`select pg_stat_get_xact_numscans($1::regclass) as n`, [relation])).rows[0]!.n);
  const before = await count();
  await call();
  return (await count()) - before;
}

/** Phrases whose summary tier reaches the bounded collection (step 2): it must probe discoveries_summary_bigrams_idx. */
const BIGRAM_COLLECTED = ['"omicron pi rho"', '"risks drifting"', '"sigma sigma"', '"chi psi"', '"the chi psi"'];

describe('search_discoveries equals the plain reading of its tiers', () => {
  it.each(QUERIES)('%s', async (query) => {
    for (const limit of [1, 20, 250]) {
      for (const agentId of [null, 'sp_agent_3']) {
        const got = await knowledge.searchDiscoveries(db.pool, { query, limit, ...(agentId ? { agentId } : {}) });
        const want = (await db.pool.query<{ id: string; rank: number }>(reference, [query, limit, agentId])).rows;
        expect(got.map((r) => r.match)).toEqual(want.map(() => 'fulltext'));
        expect(got.map((r) => [r.id, r.rank])).toEqual(want.map((r) => [r.id, r.rank]));
      }
    }
  });
});

describe('phrases of plain lexemes collect their candidates through the index of their pairs', () => {
  it.each(BIGRAM_COLLECTED)('%s', async (query) => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      expect(await scansDuring(client, 'knowledge.discoveries_summary_bigrams_idx',
        () => client.query('select count(*) from knowledge.search_discoveries($1)', [query]))).toBeGreaterThan(0);
      await client.query('rollback');
    } finally {
      client.release();
    }
  });
});

describe('without a valid index of pairs (a failed concurrent build) a phrase takes the loose path', () => {
  // a sequential scan would compute every row's pairs for `tsv_bigrams(summary_vector) @> pairs`
  const seqScans = async (query: string, dropPairsIndex: boolean) => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      if (dropPairsIndex) await client.query('drop index knowledge.discoveries_summary_bigrams_idx');
      let got: Awaited<ReturnType<typeof knowledge.searchDiscoveries>> = [];
      const scans = await scansDuring(client, 'knowledge.discoveries', async () => {
        got = await knowledge.searchDiscoveries(client, { query, limit: 20 });
      });
      const want = (await client.query<{ id: string; rank: number }>(reference, [query, 20, null])).rows;
      expect(got.map((r) => [r.id, r.rank])).toEqual(want.map((r) => [r.id, r.rank]));
      await client.query('rollback');
      return scans;
    } finally {
      client.release();
    }
  };
  it.each(BIGRAM_COLLECTED)('%s', async (query) => {
    expect(await seqScans(query, false)).toBe(0);
    expect(await seqScans(query, true)).toBe(0);
  });
});
