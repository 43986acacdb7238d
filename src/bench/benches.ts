import { createHash, randomBytes } from 'crypto';
import { mkdtempSync, promises as fsp, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import Redis from 'ioredis';
import type { DbPool as Pool, DbPoolClient as PoolClient } from '../db/types';
import { AuditLog, AuditMirror } from '../audit';
import { createCacheLayer } from '../cache';
import { createRedisClient } from '../cache/redisClient';
import { loadConfig } from '../config';
import { createAgentService, Agent } from '../domain/agents';
import { createEisvService } from '../domain/eisv';
import { knowledge as knowledgeFns } from '../db/generated/functions';
import { cpuPerCall, CpuPerCall } from './cpu';
import { measurePaired, PairedResult, timeIt, distribution, Distribution } from './measure';

export interface BenchContext {
  pool: Pool;
  redisUrl: string;
  iterations: number;
  quick: boolean;
}

const selectOne = (client: PoolClient) => () => client.query({ name: 'bench_floor_select', text: 'select 1' });
let floorSeq = 0;
const insertCommit = (client: PoolClient) => () =>
  client.query({ name: 'bench_floor_insert', text: 'insert into public.bench_floor (v) values ($1)', values: [floorSeq++] });

async function withClient<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

export async function benchSessions(ctx: BenchContext): Promise<PairedResult[]> {
  const results: PairedResult[] = [];
  const agents = createAgentService(ctx.pool);
  const agent = await agents.onboard({ label: `bench sessions ${randomBytes(3).toString('hex')}` });
  for (const mode of ['redis', 'memory'] as const) {
    const env = { REDIS_URL: mode === 'redis' ? ctx.redisUrl : '', REDIS_KEY_PREFIX: `bench${randomBytes(3).toString('hex')}:` };
    const cache = await createCacheLayer<Agent>(loadConfig(env).cache, { pool: ctx.pool, loadAgentMetadata: (id) => agents.get(id), cleanupIntervalMs: 0 });
    const floorRedis = new Redis(ctx.redisUrl, { lazyConnect: false });
    try {
      const sessionId = `bench-session-${randomBytes(6).toString('hex')}`;
      await cache.sessions.bind({ sessionId, agentId: agent.agentId, client: 'bench' });
      await floorRedis.set('bench:floor', 'x');
      results.push(await measurePaired(`session lookup (${mode} mode)`, 'redis GET', () => floorRedis.get('bench:floor'), () => cache.sessions.lookup(sessionId), { iterations: ctx.iterations }));
      if (mode === 'redis') {
        // the share of the lookup's gap that is the server's client, not the lookup: the same GET
        // through a client with the server's options (fail fast: command timeout timer per command)
        const serverClient = createRedisClient(loadConfig(env).cache.redis);
        try {
          await serverClient.connect();
          results.push(await measurePaired('redis GET, server client options (command timeout)', 'redis GET', () => floorRedis.get('bench:floor'), () => serverClient.get('bench:floor'), { iterations: ctx.iterations }));
        } finally {
          serverClient.disconnect();
        }
        const cold = await measurePaired('agent metadata read, uncached (one call)', 'SELECT 1', () => ctx.pool.query({ name: 'bench_floor_select', text: 'select 1' }), () => agents.get(agent.agentId), { iterations: ctx.iterations });
        results.push(cold);
        await cache.metadata.get(agent.agentId);
        results.push(await measurePaired('agent metadata read, cached (redis)', 'redis GET', () => floorRedis.get('bench:floor'), () => cache.metadata.get(agent.agentId),
          { iterations: ctx.iterations, notes: `in-process tier ${cache.metadata.localTierActive() ? 'active' : 'INACTIVE'} in front of Redis` }));
        const redisOnly = await createCacheLayer<Agent>(loadConfig(env).cache, { pool: ctx.pool, loadAgentMetadata: (id) => agents.get(id), cleanupIntervalMs: 0, localMetadataTtlMs: 0 });
        try {
          await redisOnly.metadata.get(agent.agentId);
          results.push(await measurePaired('agent metadata read, Redis tier only (in-process tier off)', 'redis GET', () => floorRedis.get('bench:floor'), () => redisOnly.metadata.get(agent.agentId), { iterations: ctx.iterations }));
        } finally {
          await redisOnly.close();
        }
      } else {
        await cache.metadata.get(agent.agentId);
        results.push(await measurePaired('agent metadata read, cached (memory mode)', 'redis GET', () => floorRedis.get('bench:floor'), () => cache.metadata.get(agent.agentId), { iterations: ctx.iterations }));
      }
    } finally {
      floorRedis.disconnect();
      await cache.close();
    }
  }
  return results;
}

export async function benchWrites(ctx: BenchContext): Promise<PairedResult[]> {
  return withClient(ctx.pool, async (client) => {
    const agents = createAgentService(client);
    const eisv = createEisvService(client);
    const run = randomBytes(3).toString('hex');
    const onboard = await measurePaired('onboard (agent, key hash, session, event, AGE vertex)', 'insert+commit', insertCommit(client),
      (i) => agents.onboard({ label: `bench ${run} ${i}`, sessionId: `bench-${run}-${i}-session`, sessionTtlMs: 3_600_000 }), { iterations: ctx.iterations });
    const agent = await agents.onboard({ label: `bench eisv ${run}` });
    const update = await measurePaired('process_agent_update (full EISV step, one txn)', 'insert+commit', insertCommit(client),
      () => eisv.processUpdate({ agentId: agent.agentId, complexity: 0.5, confidence: 0.8, responseLength: 1500 }), { iterations: ctx.iterations });
    return [onboard, update];
  });
}

/** Query mix with common terms, a common phrase, rare terms and filters. */
const QUERIES = ['governance', 'agent risk', '"governance agent"', 'calibration threshold', 'drift -entropy', 'coherence', 'a3f1e', 'entropy OR void', 'threshold', '"risk drift"'];

export async function benchKnowledge(ctx: BenchContext, sampleIds: string[]): Promise<PairedResult[]> {
  return withClient(ctx.pool, async (client) => {
    const fts = await measurePaired('full-text search (query mix, limit 20)', 'SELECT 1', selectOne(client),
      (i) => knowledgeFns.searchDiscoveries(client, { query: QUERIES[Math.abs(i) % QUERIES.length], limit: 20 }), { iterations: ctx.iterations });
    const phrase = await measurePaired('full-text search, common phrase alone', 'SELECT 1', selectOne(client),
      () => knowledgeFns.searchDiscoveries(client, { query: '"governance agent"', limit: 20 }), { iterations: Math.max(20, ctx.iterations / 4) });
    const match = await measurePaired('AGE MATCH one Discovery by id', 'SELECT 1', selectOne(client),
      (i) => client.query({
        name: 'bench_age_match',
        // WHERE d.id = $id is planned as an index scan on the btree over properties.id (cypher/0001);
        // the map form {id: $id} becomes properties @> {...} and goes to the slower GIN index.
        text: `select * from ag_catalog.cypher('governance_graph', $$ MATCH (d:Discovery) WHERE d.id = $id RETURN d.id $$, $1) as (id ag_catalog.agtype)`,
        values: [JSON.stringify({ id: sampleIds[Math.abs(i) % sampleIds.length] })],
      }), { iterations: ctx.iterations });
    const twoHop = await measurePaired('related within 2 hops (AGE)', 'SELECT 1', selectOne(client),
      (i) => knowledgeFns.relatedDiscoveries(client, { id: sampleIds[Math.abs(i) % sampleIds.length]!, maxHops: 2, limit: 50 }), { iterations: Math.max(20, ctx.iterations / 2) });
    return [fts, phrase, match, twoHop];
  });
}

export interface AuditBench {
  append: PairedResult;
  /** acknowledged (fsynced) appends: one producer, paired with a raw write+fdatasync of the same file system */
  durable: PairedResult;
  /** acknowledged events/s with `durableProducers` concurrent producers, and raw fdatasyncs/s of one thread in the same run */
  durableEventsPerSec: number;
  durableProducers: number;
  rawFsyncsPerSec: number;
  mirrorEventsPerSec: number;
  mirrorLines: number;
  /** the mirror's floor: the same number of rows of the same shape, one plain INSERT … SELECT FROM jsonb_to_recordset per batch into an unindexed, unpartitioned table (each its own transaction) */
  mirrorFloorRowsPerSec: number;
}

export async function benchAudit(ctx: BenchContext): Promise<AuditBench> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-bench-audit-'));
  const logPath = path.join(dir, 'audit_log.jsonl');
  const log = await AuditLog.open({ path: logPath });
  try {
    // cost on the request path: the time record() takes to accept the event (the group commit happens later)
    const noop = async () => undefined;
    const append = await measurePaired('audit append on the request path', 'no-op await', noop,
      (i) => log.record({ agentId: 'bench', sessionId: 's', eventType: 'bench_event', confidence: 0.5, details: { i } }), { iterations: ctx.iterations * 4 });
    const durable = await benchDurable(ctx, log, dir);
    const lines = ctx.quick ? 5_000 : 100_000;
    for (let i = 0; i < lines; i++) void log.record({ agentId: 'bench', sessionId: 's', eventType: 'bench_mirror', details: { i } });
    await log.flush();
    const mirror = new AuditMirror(ctx.pool, { logPath, batchSize: 2000, pollIntervalMs: 10 });
    const ms = await timeIt(async () => {
      mirror.start();
      await mirror.caughtUp(600_000);
    });
    await mirror.stop();
    // every line of the file is mirrored in the timed run (the request-path, acknowledged and
    // producer appends before the bulk ones): count what the mirror processed, not what this
    // function wrote last (counting only those under-stated the rate by the acknowledged lines' share)
    const st = mirror.state();
    const total = st.rowsInserted + st.duplicatesSkipped + st.rejectedLines;
    const floorRowsPerSec = await mirrorFloor(ctx, total, 2000);
    return { append, ...durable, mirrorEventsPerSec: total / (ms / 1000), mirrorLines: total, mirrorFloorRowsPerSec: floorRowsPerSec };
  } finally {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The mirror's floor: loading `rows` rows of the mirror's shape (hash-chained, as audit.insert_events
 * receives them) into PostgreSQL with nothing but the transport, the jsonb decode and a heap insert —
 * one plain INSERT … SELECT FROM jsonb_to_recordset per `batchSize` rows, into an unindexed,
 * unpartitioned table without constraints, each batch its own transaction (one commit fsync, as the
 * mirror's). No file is read and no line is checked. Rows/s.
 */
async function mirrorFloor(ctx: BenchContext, rows: number, batchSize: number): Promise<number> {
  await ctx.pool.query(`create table if not exists public.bench_mirror_floor (occurred_at timestamptz, agent_id text, session_id text, event_type text,
    confidence double precision, details jsonb, content_hash text, prev_hash text, source text)`);
  let prev: string | null = null;
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  const batches: string[] = [];
  for (let done = 0; done < rows; done += batchSize) {
    const batch = [];
    for (let i = done; i < Math.min(rows, done + batchSize); i++) {
      const row: Record<string, unknown> = { occurred_at: new Date(t0 + i).toISOString(), agent_id: 'bench', session_id: 's', event_type: 'bench_mirror', confidence: null, details: { i }, prev_hash: prev };
      const content_hash: string = createHash('sha256').update(JSON.stringify(row)).digest('hex');
      prev = content_hash;
      batch.push({ ...row, content_hash });
    }
    batches.push(JSON.stringify(batch));
  }
  const ms = await timeIt(async () => {
    for (const b of batches) {
      await ctx.pool.query(`insert into public.bench_mirror_floor select *, 'server' from jsonb_to_recordset($1::jsonb) as r(occurred_at timestamptz,
        agent_id text, session_id text, event_type text, confidence double precision, details jsonb, content_hash text, prev_hash text)`, [b]);
    }
  });
  await ctx.pool.query('drop table public.bench_mirror_floor');
  return rows / (ms / 1000);
}

/**
 * Acknowledged means durable (docs/audit.md): what a tool reply waits for. The floor is one raw
 * write + fdatasync of a file in the same directory, taken right before each sample; the op is one
 * append() that resolves once its line is fsynced. Then `producers` concurrent producers append for
 * a fixed time: acknowledged events/s, which group commit makes far more than the raw fsyncs/s.
 */
async function benchDurable(ctx: BenchContext, log: AuditLog, dir: string) {
  const raw = await fsp.open(path.join(dir, 'fsync_floor.bin'), 'a');
  const block = Buffer.alloc(300, 0x61);
  const floor = async () => {
    await raw.write(block);
    await raw.datasync();
  };
  try {
    let lines = 0;
    const durable = await measurePaired('audit append, acknowledged (fsynced) — one producer', 'write+fdatasync', floor,
      (i) => (lines++, log.append({ agentId: 'bench', sessionId: 's', eventType: 'bench_durable', confidence: 0.5, details: { i } })), { iterations: ctx.iterations * 2 });
    const fsyncMs = await timeIt(async () => {
      for (let i = 0; i < 200; i++) await floor();
    });
    const producers = 64;
    const runMs = ctx.quick ? 500 : 3000;
    let acked = 0;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: producers }, async (_, p) => {
      while (Date.now() - t0 < runMs) {
        await log.append({ agentId: 'bench', sessionId: `p${p}`, eventType: 'bench_durable', details: { p } });
        acked++;
      }
    }));
    const elapsed = Date.now() - t0;
    lines += acked;
    return { durable, durableEventsPerSec: acked / (elapsed / 1000), durableProducers: producers, rawFsyncsPerSec: 200 / (fsyncMs / 1000), lines };
  } finally {
    await raw.close();
  }
}

export { distribution };

/**
 * CPU per process_agent_update: `calls` updates back to back on one connection (after a warm-up),
 * the PostgreSQL backend's utime+stime and this process's CPU divided by the calls.
 */
export async function benchUpdateCpu(ctx: BenchContext, calls: number): Promise<CpuPerCall> {
  return withClient(ctx.pool, async (client) => {
    const agents = createAgentService(client);
    const eisv = createEisvService(client);
    const agent = await agents.onboard({ label: `bench cpu ${randomBytes(3).toString('hex')}` });
    const op = () => eisv.processUpdate({ agentId: agent.agentId, complexity: 0.5, confidence: 0.8, responseLength: 1500 });
    for (let i = 0; i < 50; i++) await op();
    return cpuPerCall(client, calls, op);
  });
}

/**
 * Cross-server invalidation of the in-process metadata tier: two cache layers (two "servers", each
 * with its own Redis connections) over one Redis; B holds the agent in its in-process tier, A
 * invalidates, and the time until B serves the new value is measured (B polls its tier).
 */
export async function benchMetadataInvalidation(ctx: BenchContext, samples: number): Promise<Distribution> {
  const env = { REDIS_URL: ctx.redisUrl, REDIS_KEY_PREFIX: `benchinv${randomBytes(3).toString('hex')}:` };
  let version = 0;
  const load = async (id: string) => ({ id, version });
  const a = await createCacheLayer<{ id: string; version: number }>(loadConfig(env).cache, { pool: ctx.pool, loadAgentMetadata: load, cleanupIntervalMs: 0 });
  const b = await createCacheLayer<{ id: string; version: number }>(loadConfig(env).cache, { pool: ctx.pool, loadAgentMetadata: load, cleanupIntervalMs: 0 });
  try {
    for (let i = 0; i < 500 && !(a.metadata.localTierActive() && b.metadata.localTierActive()); i++) await new Promise((r) => setTimeout(r, 10));
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      await b.metadata.get('bench-agent');
      version++;
      const t0 = process.hrtime.bigint();
      await a.metadata.invalidateAgent('bench-agent');
      for (;;) {
        if ((await b.metadata.get('bench-agent'))?.version === version) break;
        if (Number(process.hrtime.bigint() - t0) > 5e9) throw new Error('invalidation did not reach the other server within 5 s');
        await new Promise((r) => setImmediate(r));
      }
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return distribution(latencies);
  } finally {
    await a.close();
    await b.close();
  }
}
