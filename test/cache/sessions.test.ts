import Redis from 'ioredis';
import { withAdvisoryLock } from '../../src/db/advisoryLock';
import { cleanupExpiredSessions, SESSION_CLEANUP_LOCK } from '../../src/cache/sessionCleanup';
import { CachedSessionStore } from '../../src/cache/sessionStore';
import { CacheLayer } from '../../src/cache/cacheLayer';
import { CacheConfig } from '../../src/cache/cacheConfig';
import { RedisKeys } from '../../src/cache/keys';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { AgentMeta, insertAgents, testConfig, testLayer } from './layer';
import { RedisServer, sleep } from './redisServer';

let db: TestDatabase;
let server: RedisServer;
let raw: Redis;
const layers: Array<CacheLayer<AgentMeta>> = [];

beforeAll(async () => {
  [db, server] = await Promise.all([createMigratedDatabase(), RedisServer.start()]);
  raw = new Redis(server.port, '127.0.0.1');
  await insertAgents(db, 'agent-a', 'agent-b', 'agent-c');
});
afterAll(async () => {
  await Promise.all(layers.map((l) => l.close()));
  raw.disconnect();
  await server.stop();
  await db.drop();
});

async function layer(config: CacheConfig = testConfig({ url: server.url })): Promise<{ cache: CacheLayer<AgentMeta>; keys: RedisKeys }> {
  const cache = await testLayer(db, config);
  layers.push(cache);
  return { cache, keys: new RedisKeys(config.keyPrefix) };
}

test('a binding made through one instance is resolved by another, from Redis', async () => {
  const config = testConfig({ url: server.url });
  const { cache: one, keys } = await layer(config);
  const { cache: two } = await layer(config);
  const bound = await one.sessions.bind({ sessionId: 'sess-shared-1', agentId: 'agent-a', client: 'claude', metadata: { transport: 'http' } });
  expect(bound).toMatchObject({ sessionId: 'sess-shared-1', agentId: 'agent-a', client: 'claude', metadata: { transport: 'http' } });
  expect(await raw.exists(keys.session('sess-shared-1'))).toBe(1);
  expect(await two.sessions.lookup('sess-shared-1')).toMatchObject({ agentId: 'agent-a', client: 'claude' });
  expect(await two.sessions.lookup('sess-unknown-1')).toBeNull();
  expect(one.health().mode).toBe('redis');
});

test('the TTL slides on every lookup and the binding expires after TTL without use, in both stores', async () => {
  const { cache, keys } = await layer(testConfig({ url: server.url }, { sessionTtlMs: 1500, sessionDurableSlackMs: 300 }));
  await cache.sessions.bind({ sessionId: 'sess-slide-1', agentId: 'agent-a' });
  await cache.sessions.bind({ sessionId: 'sess-idle-01', agentId: 'agent-a' });
  for (let i = 0; i < 3; i++) {
    await sleep(700);
    expect(await cache.sessions.lookup('sess-slide-1')).not.toBeNull(); // 2.1 s after bind: alive because used
    expect(await raw.pttl(keys.session('sess-slide-1'))).toBeGreaterThan(750);
  }
  expect(await cache.sessions.lookup('sess-idle-01')).toBeNull(); // not used for 2.1 s > TTL + slack
  await sleep(2000);
  expect(await raw.exists(keys.session('sess-slide-1'))).toBe(0);
  expect(await cache.sessions.lookup('sess-slide-1')).toBeNull();
  const { rows } = await db.pool.query(`select session_id from core.sessions where session_id in ('sess-slide-1', 'sess-idle-01') and expires_at > now()`);
  expect(rows).toEqual([]);
});

test('a lookup is one plain GET; the TTL is slid only once the slack of it has been used', async () => {
  const { cache, keys } = await layer(testConfig({ url: server.url }, { sessionTtlMs: 4000, sessionDurableSlackMs: 1000 }));
  await cache.sessions.bind({ sessionId: 'sess-lazy-01', agentId: 'agent-a' });
  const monitor = await raw.monitor();
  const commands: string[] = [];
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.some((a) => a.includes('sess-lazy-01'))) commands.push(String(args[0]).toLowerCase());
  });
  try {
    const ttlBefore = await raw.pttl(keys.session('sess-lazy-01'));
    await sleep(300);
    expect(await cache.sessions.lookup('sess-lazy-01')).toMatchObject({ agentId: 'agent-a' });
    await sleep(100); // let the monitor deliver
    expect(commands.filter((c) => c !== 'pttl')).toEqual(['get']);
    expect(await raw.pttl(keys.session('sess-lazy-01'))).toBeLessThan(ttlBefore - 250); // not slid
    await sleep(900); // more than the slack (1000 ms) of the TTL used since the bind
    commands.length = 0;
    const slid = await cache.sessions.lookup('sess-lazy-01');
    await sleep(100);
    expect(commands[0]).toBe('get'); // then the slide (and here also the durable re-extension, due at the same time)
    expect(commands.length).toBeGreaterThan(1);
    expect(await raw.pttl(keys.session('sess-lazy-01'))).toBeGreaterThan(3700);
    expect(slid!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3700);
  } finally {
    monitor.disconnect();
  }
});

test('sessions of an agent come from its index set, and unbind removes them', async () => {
  const { cache, keys } = await layer(testConfig({ url: server.url }, { sessionTtlMs: 60_000 }));
  for (const id of ['sess-list-a1', 'sess-list-a2', 'sess-list-a3']) await cache.sessions.bind({ sessionId: id, agentId: 'agent-b' });
  await cache.sessions.bind({ sessionId: 'sess-list-c1', agentId: 'agent-c' });
  const ids = async (agent: string) => (await cache.sessions.listByAgent(agent)).map((b) => b.sessionId).sort();
  expect(await ids('agent-b')).toEqual(['sess-list-a1', 'sess-list-a2', 'sess-list-a3']);
  expect(await ids('agent-c')).toEqual(['sess-list-c1']);
  // the index is a set keyed by the agent's hash tag, marked complete once built from PostgreSQL
  expect((await raw.smembers(keys.agentSessions('agent-b'))).sort()).toEqual(['*', 'sess-list-a1', 'sess-list-a2', 'sess-list-a3']);
  expect(await cache.sessions.unbind('sess-list-a2')).toBe(true);
  expect(await cache.sessions.unbind('sess-list-a2')).toBe(false);
  expect(await ids('agent-b')).toEqual(['sess-list-a1', 'sess-list-a3']);
  expect(await cache.sessions.lookup('sess-list-a2')).toBeNull();
});

test('bindings survive FLUSHALL: a miss falls through to PostgreSQL and re-warms Redis', async () => {
  const { cache, keys } = await layer(testConfig({ url: server.url }, { sessionTtlMs: 60_000 }));
  await cache.sessions.bind({ sessionId: 'sess-flush-1', agentId: 'agent-c', metadata: { n: 1 } });
  await cache.sessions.bind({ sessionId: 'sess-flush-2', agentId: 'agent-c' });
  expect((await cache.sessions.listByAgent('agent-c')).map((b) => b.sessionId)).toContain('sess-flush-1');
  await raw.flushall();
  expect(await cache.sessions.lookup('sess-flush-1')).toMatchObject({ agentId: 'agent-c', metadata: { n: 1 } });
  expect(await raw.exists(keys.session('sess-flush-1'))).toBe(1);
  // a bind after the flush must not make the (rebuilt) index look complete without the others
  await cache.sessions.bind({ sessionId: 'sess-flush-3', agentId: 'agent-c' });
  const listed = (await cache.sessions.listByAgent('agent-c')).map((b) => b.sessionId);
  expect(listed).toEqual(expect.arrayContaining(['sess-flush-1', 'sess-flush-2', 'sess-flush-3']));
});

test('a live binding of another agent is never taken over', async () => {
  const { cache } = await layer();
  await cache.sessions.bind({ sessionId: 'sess-owned-1', agentId: 'agent-a' });
  await expect(cache.sessions.bind({ sessionId: 'sess-owned-1', agentId: 'agent-b' })).rejects.toMatchObject({ code: 'CONFLICT' });
  await expect(cache.sessions.bind({ sessionId: 'sess-x-1', agentId: 'no-such-agent' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  await expect(cache.sessions.bind({ sessionId: 'short', agentId: 'agent-a' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  expect(await cache.sessions.lookup('sess-owned-1')).toMatchObject({ agentId: 'agent-a' });
});

test('the cleanup deletes expired bindings in both stores, one server at a time', async () => {
  const { cache, keys } = await layer(testConfig({ url: server.url }, { sessionTtlMs: 200, sessionDurableSlackMs: 50 }));
  await cache.sessions.bind({ sessionId: 'sess-expire-1', agentId: 'agent-a' });
  await cache.sessions.listByAgent('agent-a'); // builds the index
  await sleep(400);
  const store = cache.sessions as CachedSessionStore;
  // while another server holds the cleanup lock, this one skips its turn
  const skipped = await withAdvisoryLock(db.pool, SESSION_CLEANUP_LOCK, () => cleanupExpiredSessions(db.pool, store));
  expect(skipped).toEqual({ acquired: true, result: { ran: false, deleted: 0 } });
  const result = await cache.sessionCleanup.runOnce();
  expect(result.ran).toBe(true);
  expect(result.deleted).toBeGreaterThanOrEqual(1);
  const { rows } = await db.pool.query(`select 1 from core.sessions where session_id = 'sess-expire-1'`);
  expect(rows).toEqual([]);
  expect(await raw.sismember(keys.agentSessions('agent-a'), 'sess-expire-1')).toBe(0);
});

test('agent metadata is read through, and invalidation by one instance reaches the other', async () => {
  const config = testConfig({ url: server.url });
  const { cache: one } = await layer(config);
  const { cache: two } = await layer(config);
  await db.pool.query(`update core.agents set label = 'first' where id = 'agent-a'`);
  expect(await one.metadata.get('agent-a')).toEqual({ id: 'agent-a', label: 'first' });
  await db.pool.query(`update core.agents set label = 'second' where id = 'agent-a'`);
  expect(await two.metadata.get('agent-a')).toEqual({ id: 'agent-a', label: 'first' }); // cached, shared
  await two.metadata.invalidateAgent('agent-a');
  expect(await two.metadata.get('agent-a')).toEqual({ id: 'agent-a', label: 'second' }); // its own tier: at once
  // the other instance's in-process tier drops its copy when the pub/sub message arrives (milliseconds)
  let label: string | null | undefined = 'first';
  for (let i = 0; i < 100 && label === 'first'; i++) {
    label = (await one.metadata.get('agent-a'))?.label;
    if (label === 'first') await sleep(10);
  }
  expect(label).toBe('second');
  expect(await one.metadata.get('no-such-agent')).toBeNull();
});

test('a slow reader cannot put back metadata that was invalidated while it loaded', async () => {
  const config = testConfig({ url: server.url });
  const { cache: writer } = await layer(config);
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { createCacheLayer } = await import('../../src/cache/cacheLayer');
  const reader = await createCacheLayer<{ label: string }>(config, {
    pool: db.pool,
    cleanupIntervalMs: 0,
    loadAgentMetadata: async () => {
      calls++;
      if (calls === 1) {
        await gate;
        return { label: 'stale' };
      }
      return { label: 'fresh' };
    },
  });
  try {
    const slow = reader.metadata.get('agent-b');
    await sleep(50);
    await writer.metadata.invalidateAgent('agent-b'); // a write happened while the reader loaded
    release();
    expect(await slow).toEqual({ label: 'stale' }); // the reader itself saw the old value...
    expect(await reader.metadata.get('agent-b')).toEqual({ label: 'fresh' }); // ...but did not cache it
    expect(calls).toBe(2);
  } finally {
    await reader.close();
  }
});
