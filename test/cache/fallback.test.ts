import Redis from 'ioredis';
import { CacheLayer } from '../../src/cache/cacheLayer';
import { RedisKeys } from '../../src/cache/keys';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { AgentMeta, insertAgents, testConfig, testLayer } from './layer';
import { eventually, RedisServer } from './redisServer';

let db: TestDatabase;
let server: RedisServer;
const layers: Array<CacheLayer<AgentMeta>> = [];

beforeAll(async () => {
  [db, server] = await Promise.all([createMigratedDatabase(), RedisServer.start()]);
  await insertAgents(db, 'agent-a', 'agent-b');
});
afterAll(async () => {
  await Promise.all(layers.map((l) => l.close()));
  await server.stop();
  await db.drop();
});

async function layer(config = testConfig({ url: server.url }, { sessionTtlMs: 60_000 })) {
  const cache = await testLayer(db, config);
  layers.push(cache);
  return { cache, keys: new RedisKeys(config.keyPrefix), config };
}

test('Redis killed mid-test: every feature keeps working in memory mode; restarted: back to redis, nothing lost', async () => {
  const { cache, keys, config } = await layer();
  await cache.sessions.bind({ sessionId: 'sess-before-1', agentId: 'agent-a' });
  expect(cache.health()).toMatchObject({ mode: 'redis', reason: null });

  await server.kill();
  // the first call after the crash already succeeds (served by PostgreSQL + memory)
  expect(await cache.sessions.lookup('sess-before-1')).toMatchObject({ agentId: 'agent-a' });
  const health = cache.health();
  expect(health.mode).toBe('memory');
  expect(health.reason).toMatch(/Redis unreachable/);
  expect(health.fallbacks).toBe(1);

  const during = await cache.sessions.bind({ sessionId: 'sess-during-1', agentId: 'agent-b', client: 'cli' });
  expect(during.agentId).toBe('agent-b');
  expect(await cache.sessions.lookup('sess-during-1')).toMatchObject({ agentId: 'agent-b' });
  expect((await cache.sessions.listByAgent('agent-b')).map((b) => b.sessionId)).toEqual(['sess-during-1']);
  expect(await cache.metadata.get('agent-a')).toEqual({ id: 'agent-a', label: null });
  const first = await cache.rateLimits.consume('agent-a', 'knowledge_store');
  // Redis lost: a key starts spent (the whole window counts as used) and refills at the steady rate
  // (docs/redis.md "Rate limits never fail open"), never with a fresh burst
  expect(first).toMatchObject({ allowed: false, limit: 20, remaining: 0 });
  expect(first.retryAfterMs).toBeGreaterThan(170_000); // one interval: 3600 s / 20
  expect(cache.health().mode).toBe('memory');

  await server.restart(); // empty: nothing was persisted
  await eventually(() => cache.health().mode === 'redis', 'the layer to return to redis mode');

  // the binding created during the outage was written back to Redis...
  const raw = new Redis(server.port, '127.0.0.1');
  try {
    expect(JSON.parse((await raw.get(keys.session('sess-during-1')))!)).toMatchObject({ agentId: 'agent-b', client: 'cli' });
    expect(await raw.sismember(keys.agentSessions('agent-b'), 'sess-during-1')).toBe(1);
    // ...and the rate-limit state made in memory was merged, so neither the outage nor the empty restart handed out a budget
    expect(await cache.rateLimits.consume('agent-a', 'knowledge_store')).toMatchObject({ allowed: false, remaining: 0 });
  } finally {
    raw.disconnect();
  }
  // every binding resolves through a fresh instance that never saw the outage
  const { cache: fresh } = await layer(config);
  expect(await fresh.sessions.lookup('sess-during-1')).toMatchObject({ agentId: 'agent-b' });
  expect(await fresh.sessions.lookup('sess-before-1')).toMatchObject({ agentId: 'agent-a' });
  expect(fresh.health().mode).toBe('redis');
});

test('a hung Redis (commands time out) also switches to memory; an unbind made meanwhile is written back', async () => {
  const { cache, keys } = await layer();
  await cache.sessions.bind({ sessionId: 'sess-hung-1', agentId: 'agent-a' });
  await cache.metadata.get('agent-a');
  server.pause();
  try {
    // Redis does not answer: this call times out and is served from PostgreSQL; memory mode from now
    expect(await cache.sessions.lookup('sess-hung-0')).toBeNull();
    expect(cache.health().mode).toBe('memory');
    // so these never reach the (frozen) Redis, which keeps the old binding and metadata
    expect(await cache.sessions.unbind('sess-hung-1')).toBe(true);
    await cache.metadata.invalidateAgent('agent-a');
    expect(await cache.sessions.lookup('sess-hung-1')).toBeNull();
  } finally {
    server.resume();
  }
  await eventually(() => cache.health().mode === 'redis', 'the layer to return to redis mode');
  const raw = new Redis(server.port, '127.0.0.1');
  try {
    // Redis kept its data, including the stale binding: the write-back removed it
    expect(await raw.exists(keys.session('sess-hung-1'))).toBe(0);
    expect(await raw.exists(keys.agentMetadata('agent-a'))).toBe(0);
  } finally {
    raw.disconnect();
  }
  expect(await cache.sessions.lookup('sess-hung-1')).toBeNull();
});

test('without any Redis configured the layer runs in memory mode and says why', async () => {
  const config = testConfig({ url: undefined });
  const cache = await testLayer(db, config);
  layers.push(cache);
  expect(cache.health()).toMatchObject({ mode: 'memory', reason: expect.stringMatching(/REDIS_URL/) });
  await cache.sessions.bind({ sessionId: 'sess-nored-1', agentId: 'agent-a' });
  expect(await cache.sessions.lookup('sess-nored-1')).toMatchObject({ agentId: 'agent-a' });
});

test('a layer started while Redis is down starts in memory mode and switches when Redis appears', async () => {
  const later = await RedisServer.start();
  await later.kill();
  try {
    const { cache } = await layer(testConfig({ url: later.url }));
    expect(cache.health().mode).toBe('memory');
    await cache.sessions.bind({ sessionId: 'sess-late-01', agentId: 'agent-a' });
    await later.restart();
    await eventually(() => cache.health().mode === 'redis', 'the layer to switch to redis mode');
    expect(await cache.sessions.lookup('sess-late-01')).toMatchObject({ agentId: 'agent-a' });
  } finally {
    await later.stop();
  }
});
