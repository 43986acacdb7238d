import { createCacheLayer } from '../../src/cache/cacheLayer';
import { CacheConfig } from '../../src/cache/cacheConfig';
import { DEFAULT_RATE_LIMITS, RateLimiter, RateLimitRules } from '../../src/cache/rateLimiter';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { testConfig } from './layer';
import { RedisServer } from './redisServer';

let db: TestDatabase;
let server: RedisServer;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [db, server] = await Promise.all([createMigratedDatabase(), RedisServer.start()]);
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  await server.stop();
  await db.drop();
});

const RULES: RateLimitRules = {
  ...DEFAULT_RATE_LIMITS,
  burst5: [{ limit: 5, periodMs: 10_000 }],
  two_rules: [{ limit: 5, periodMs: 10_000 }, { limit: 3, periodMs: 3_600_000 }],
};

async function limiter(config: CacheConfig): Promise<RateLimiter> {
  const layer = await createCacheLayer(config, { pool: db.pool, loadAgentMetadata: async () => null, rateLimits: RULES, cleanupIntervalMs: 0 });
  closers.push(() => layer.close());
  return layer.rateLimits;
}

/** Shared by the Redis and the memory-mode runs: the contract does not depend on the backend. */
async function expectExactBurst(limits: RateLimiter): Promise<void> {
  const decisions = [];
  for (let i = 0; i < 6; i++) decisions.push(await limits.consume('agent-a', 'burst5'));
  expect(decisions.slice(0, 5).map((d) => [d.allowed, d.remaining, d.limit])).toEqual([
    [true, 4, 5], [true, 3, 5], [true, 2, 5], [true, 1, 5], [true, 0, 5],
  ]);
  const refused = decisions[5]!;
  expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 5 });
  // one token comes back every 2 s
  expect(refused.retryAfterMs).toBeGreaterThan(1000);
  expect(refused.retryAfterMs).toBeLessThanOrEqual(2000);
  expect(refused.resetMs).toBeGreaterThan(9000);
  // per agent and per operation
  expect(await limits.consume('agent-b', 'burst5')).toMatchObject({ allowed: true, remaining: 4 });
  expect(await limits.consume('agent-a', 'knowledge_store')).toMatchObject({ allowed: true, remaining: 19, limit: 20 });
}

test('Redis: exactly N in a burst, the N+1-th refused with retry-after', async () => {
  await expectExactBurst(await limiter(testConfig({ url: server.url })));
});

test('memory mode: the same contract, per process', async () => {
  const limits = await limiter(testConfig({ url: undefined }));
  await expectExactBurst(limits);
});

test('tool calls: 60 per minute and 1000 per hour, both enforced, the tighter one reported', async () => {
  const limits = await limiter(testConfig({ url: server.url }));
  const first = await limits.consume('agent-t', 'tool_call');
  expect(first).toMatchObject({ allowed: true, remaining: 59, limit: 60 });
  for (let i = 1; i < 60; i++) expect((await limits.consume('agent-t', 'tool_call')).allowed).toBe(true);
  const refused = await limits.consume('agent-t', 'tool_call');
  expect(refused).toMatchObject({ allowed: false, limit: 60, remaining: 0 });
  expect(refused.retryAfterMs).toBeGreaterThan(0);
  expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
  await expect(limits.consume('agent-t', 'no_such_operation')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
});

test('with several rules the longer one also binds, and its retry-after is reported', async () => {
  const limits = await limiter(testConfig({ url: server.url }));
  for (let i = 0; i < 3; i++) expect((await limits.consume('agent-h', 'two_rules')).allowed).toBe(true);
  const refused = await limits.consume('agent-h', 'two_rules');
  expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0 });
  expect(refused.retryAfterMs).toBeGreaterThan(1_100_000); // one hour / 3 = 20 min, not the 2 s of the short rule
});

test('concurrent servers share one budget: exactly N allowed in total', async () => {
  const config = testConfig({ url: server.url });
  const [one, two] = await Promise.all([limiter(config), limiter(config)]);
  const decisions = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).consume('agent-c', 'burst5')));
  expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterMs > 0)).toBe(true);
});
