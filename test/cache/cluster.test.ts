import { CacheLayer } from '../../src/cache/cacheLayer';
import { DEFAULT_RATE_LIMITS } from '../../src/cache/rateLimiter';
import { createCacheLayer } from '../../src/cache/cacheLayer';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { AgentMeta, insertAgents, testConfig } from './layer';
import { RedisClusterFixture } from './redisServer';

let db: TestDatabase;
let cluster: RedisClusterFixture;
let cache: CacheLayer<AgentMeta>;

beforeAll(async () => {
  [db, cluster] = await Promise.all([createMigratedDatabase(), RedisClusterFixture.start(3)]);
  await insertAgents(db, 'agent-a', 'agent-b');
  const config = testConfig({ clusterNodes: cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })) }, { sessionTtlMs: 60_000 });
  cache = await createCacheLayer<AgentMeta>(config, {
    pool: db.pool,
    cleanupIntervalMs: 0,
    rateLimits: { ...DEFAULT_RATE_LIMITS, burst5: [{ limit: 5, periodMs: 10_000 }] },
    loadAgentMetadata: async (id) => ({ id, label: null }),
  });
}, 60_000);
afterAll(async () => {
  await cache?.close();
  await cluster?.stop();
  await db?.drop();
});

test('the layer runs on a 3-node Redis Cluster (no CROSSSLOT: multi-key scripts share a hash tag)', () => {
  expect(cache.health()).toMatchObject({ mode: 'redis', reason: null });
});

test('cluster: exactly N allowed in a burst, the N+1-th refused with retry-after', async () => {
  const decisions = [];
  for (let i = 0; i < 6; i++) decisions.push(await cache.rateLimits.consume('agent-a', 'burst5'));
  expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
  expect(decisions[5]!.retryAfterMs).toBeGreaterThan(0);
  // two rules of one operation in one script
  expect(await cache.rateLimits.consume('agent-a', 'tool_call')).toMatchObject({ allowed: true, remaining: 59, limit: 60 });
  expect(cache.health().mode).toBe('redis');
});

test('cluster: sessions, reverse index and metadata', async () => {
  const ids = Array.from({ length: 6 }, (_, i) => `sess-cluster-${i}`); // spread over the slots
  for (const id of ids) await cache.sessions.bind({ sessionId: id, agentId: 'agent-b' });
  expect((await cache.sessions.listByAgent('agent-b')).map((b) => b.sessionId).sort()).toEqual(ids);
  expect(await cache.sessions.lookup('sess-cluster-3')).toMatchObject({ agentId: 'agent-b' });
  expect(await cache.sessions.unbind('sess-cluster-3')).toBe(true);
  expect(await cache.sessions.listByAgent('agent-b')).toHaveLength(5);
  expect(await cache.metadata.get('agent-a')).toEqual({ id: 'agent-a', label: null });
  await cache.metadata.invalidateAgent('agent-a');
  expect(cache.health().mode).toBe('redis');
});
