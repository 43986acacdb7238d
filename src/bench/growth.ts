import type { DbPool as Pool, DbPoolClient as PoolClient } from '../db/types';
import { core, knowledge as knowledgeFns } from '../db/generated/functions';
import { distribution, Distribution, measurePaired, PairedResult, timeIt } from './measure';
import { benchDatabase, dropDatabase, generateKnowledge, keptDatabase, markGenerated } from './setup';

/**
 * The growth table: whether the read paths stay flat as the data grows.
 * - Knowledge: for each size, a fresh database with that many discoveries (bench/sql/generate_knowledge.sql,
 *   edges 2× discoveries, AGE projection, vacuum analyze), then the search query mix and the 2-hop
 *   query, each paired with SELECT 1.
 * - State: for each (agents, state rows) size, a fresh database filled in bulk with generate_series
 *   (rows per agent = states / agents, seq 1..n, a small state document), then the latest-state read
 *   (core.get_agent_state) and a history page (core.agent_state_history, 100 rows) of random agents,
 *   paired with SELECT 1. Row counts are what the reads must not depend on.
 *
 *   npm run bench -- --growth                       10k / 100k / 1M discoveries; 1M agents, 10M state rows
 *   npm run bench -- --growth --growth-discoveries 10000,100000 --growth-states 10000:100000,100000:1000000
 *
 * With `keep`, each knowledge database is named by its size (govdb_bench_growth_k<n>, or keepPrefix<n>), kept after the
 * run and reused by the next run with `keep` (migrated again, not regenerated; the row reports the
 * kept generation times): the 1M corpus can be generated on a busy machine and timed on a quiet one.
 */

const QUERIES = ['governance', 'agent risk', '"governance agent"', 'calibration threshold', 'drift -entropy', 'coherence', 'a3f1e', 'entropy OR void', 'threshold', '"risk drift"'];

export interface GrowthKnowledgeRow {
  discoveries: number;
  edges: number;
  generateMs: number;
  projectMs: number;
  search: PairedResult;
  /** the search samples of the mix, per query (about iterations / 10 each) */
  searchPerQuery: Array<{ query: string; op: Distribution }>;
  twoHop: PairedResult;
}

export interface GrowthStateRow {
  agents: number;
  stateRows: number;
  generateMs: number;
  /** table + indexes of core.agent_state, MB */
  stateMb: number;
  latest: PairedResult;
  history: PairedResult;
}

export interface GrowthResult {
  knowledge: GrowthKnowledgeRow[];
  state: GrowthStateRow[];
}

const selectOne = (client: PoolClient) => () => client.query({ name: 'bench_floor_select', text: 'select 1' });

async function withClient<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

async function knowledgeAt(server: string, discoveries: number, iterations: number, keep: boolean, keepPrefix: string, log: (s: string) => void): Promise<GrowthKnowledgeRow> {
  const name = keep ? `${keepPrefix}${discoveries}` : `govdb_bench_growth_k_${process.pid}`;
  const { pool, generated } = keep ? await keptDatabase(server, name) : { ...(await benchDatabase(server, name)), generated: null };
  try {
    const agents = Math.max(50, Math.min(5000, Math.round(discoveries / 200)));
    let gen = generated;
    if (gen) log(`bench: growth: reusing the kept database ${name} (${discoveries} discoveries)`);
    else {
      log(`bench: growth: generating ${discoveries} discoveries`);
      gen = await generateKnowledge(pool, { agents, discoveries, edges: discoveries * 2, seed: 0.42 });
      if (keep) await markGenerated(pool, gen);
    }
    const edges = Number((await pool.query(`select (select count(*) from knowledge.discovery_edges) + (select count(*) from knowledge.discovery_tags) + (select count(*) from knowledge.discoveries) as n`)).rows[0].n);
    const ids = (await pool.query<{ id: string }>(`select id from knowledge.discoveries where id like 'bench\\_d\\_%' order by md5(id) limit 200`)).rows.map((r) => r.id);
    return await withClient(pool, async (client) => {
      const perQuery = QUERIES.map(() => [] as number[]);
      const search = await measurePaired(`full-text search (query mix, limit 20) at ${discoveries} discoveries`, 'SELECT 1', selectOne(client),
        async (i) => {
          const q = Math.abs(i) % QUERIES.length;
          const ms = await timeIt(() => knowledgeFns.searchDiscoveries(client, { query: QUERIES[q], limit: 20 }));
          if (i >= 0) perQuery[q]!.push(ms);
        }, { iterations });
      const searchPerQuery = QUERIES.map((query, q) => ({ query, op: distribution(perQuery[q]!) }));
      const twoHop = await measurePaired(`related within 2 hops (AGE) at ${discoveries} discoveries`, 'SELECT 1', selectOne(client),
        // warm-up: every sampled id once, so the timed calls see the graph's pages as a serving
        // database does; at 1M discoveries the graph (RELATED_TO 372 MB, Discovery 293 MB) is larger
        // than shared_buffers, and right after a kept corpus was migrated (an index build) the
        // default 50 warm-up calls left 3/4 of the ids cold: 2-hop p95 31 ms cold against 3-4 ms warm
        (i) => knowledgeFns.relatedDiscoveries(client, { id: ids[Math.abs(i) % ids.length]!, maxHops: 2, limit: 50 }), { iterations: Math.max(20, iterations / 2), warmup: ids.length });
      for (const r of searchPerQuery) log(`bench: growth: ${discoveries} discoveries: search ${r.query}: p50 ${r.op.p50.toFixed(2)} p95 ${r.op.p95.toFixed(2)} ms`);
      log(`bench: growth: ${discoveries} discoveries: search p50 ${search.op.p50.toFixed(2)} p95 ${search.op.p95.toFixed(2)} ms, 2-hop p50 ${twoHop.op.p50.toFixed(2)} p95 ${twoHop.op.p95.toFixed(2)} ms`);
      return { discoveries, edges, generateMs: gen.generateMs, projectMs: gen.projectMs, search, searchPerQuery, twoHop };
    });
  } finally {
    await pool.end();
    if (!keep) await dropDatabase(server, name).catch(() => undefined);
  }
}

async function stateAt(server: string, agents: number, stateRows: number, iterations: number, log: (s: string) => void): Promise<GrowthStateRow> {
  const name = `govdb_bench_growth_s_${process.pid}`;
  const { pool } = await benchDatabase(server, name);
  try {
    const perAgent = Math.max(1, Math.floor(stateRows / agents));
    log(`bench: growth: generating ${agents} agents with ${perAgent} state rows each`);
    const t0 = Date.now();
    await withClient(pool, async (c) => {
      // bulk load in the table's own terms: plain inserts, indexes in place (what a long-lived server has)
      await c.query(`insert into core.agents (id, label, status, update_count, last_activity_at)
                     select 'g' || i, null, 'active', $2::bigint, now() from generate_series(1, $1::int) i`, [agents, perAgent]);
      // in slices of agents so one statement's memory stays bounded
      const slice = Math.max(1, Math.floor(2_000_000 / perAgent));
      for (let from = 1; from <= agents; from += slice) {
        await c.query(`insert into core.agent_state (agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, decision, health_status, state, recorded_at)
                       select 'g' || a, s, 0.7, 0.8, 0.2, 0.0, 0.5, 0.3, 0.1, 'STABLE', 'safe', 'proceed', 'healthy',
                              jsonb_build_object('model', 'eisv-euler-v1', 'bench', true), now() - make_interval(secs => $3::int - s)
                       from generate_series($1::int, $2::int) a cross join generate_series(1, $3::int) s`, [from, Math.min(agents, from + slice - 1), perAgent]);
      }
      // core.agent_activity: its rows come from the insert trigger of migration agent_activity (the
      // superseded counter columns written above are carried there while that bridge exists)
      await c.query('vacuum (analyze) core.agents, core.agent_activity, core.agent_state');
    });
    const generateMs = Date.now() - t0;
    const mb = Number((await pool.query(`select pg_total_relation_size('core.agent_state')::float8 / 1048576 as mb`)).rows[0].mb);
    return await withClient(pool, async (client) => {
      const pick = (i: number) => `g${1 + ((Math.abs(i) * 7919) % agents)}`;
      const latest = await measurePaired(`latest state read (get_agent_state) at ${agents} agents / ${agents * perAgent} rows`, 'SELECT 1', selectOne(client),
        (i) => core.getAgentState(client, { agentId: pick(i) }), { iterations });
      const history = await measurePaired(`history page of 100 (agent_state_history) at ${agents} agents / ${agents * perAgent} rows`, 'SELECT 1', selectOne(client),
        (i) => core.agentStateHistory(client, { agentId: pick(i), limit: 100 }), { iterations });
      log(`bench: growth: ${agents} agents / ${agents * perAgent} rows (${Math.round(mb)} MB): latest p50 ${latest.op.p50.toFixed(3)} ms (×${latest.ratioP50.toFixed(2)}), history p50 ${history.op.p50.toFixed(3)} ms (×${history.ratioP50.toFixed(2)})`);
      return { agents, stateRows: agents * perAgent, generateMs, stateMb: Math.round(mb), latest, history };
    });
  } finally {
    await pool.end();
    await dropDatabase(server, name).catch(() => undefined);
  }
}

export async function benchGrowth(server: string, options: { discoveries: number[]; states: Array<[number, number]>; iterations: number; keep?: boolean; keepPrefix?: string; log: (s: string) => void }): Promise<GrowthResult> {
  const result: GrowthResult = { knowledge: [], state: [] };
  for (const [agents, rows] of options.states) result.state.push(await stateAt(server, agents, rows, options.iterations, options.log));
  for (const n of options.discoveries) result.knowledge.push(await knowledgeAt(server, n, options.iterations, options.keep ?? false, options.keepPrefix ?? 'govdb_bench_growth_k', options.log));
  return result;
}
