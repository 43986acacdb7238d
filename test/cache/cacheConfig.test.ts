import { cacheConfigFromEnv } from '../../src/cache/cacheConfig';
import { LruTtlMap } from '../../src/cache/lruTtlMap';
import { RedisKeys } from '../../src/cache/keys';

test('configuration comes from the environment with the documented defaults', () => {
  const config = cacheConfigFromEnv({ REDIS_URL: 'redis://:secret@cache.internal:6380/2' });
  expect(config.sessionTtlMs).toBe(24 * 3_600_000);
  expect(config.sessionDurableSlackMs).toBe(3_600_000);
  expect(config.redis).toMatchObject({ url: 'redis://:secret@cache.internal:6380/2', commandTimeoutMs: 500, connectTimeoutMs: 2000, clusterNodes: [] });
  expect(cacheConfigFromEnv({ SESSION_TTL_HOURS: '2', REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001' })).toMatchObject({
    sessionTtlMs: 7_200_000,
    sessionDurableSlackMs: 1_800_000,
    redis: { clusterNodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }] },
  });
});

test('every configuration problem is reported at once', () => {
  expect.assertions(2); // the second sits in a catch block
  expect(() => cacheConfigFromEnv({ REDIS_URL: 'http://x', SESSION_TTL_HOURS: '0', REDIS_SENTINELS: 'a:1,b', REDIS_CLUSTER_NODES: 'c:2' })).toThrow(
    expect.objectContaining({ code: 'CONFIG_INVALID' }),
  );
  try {
    cacheConfigFromEnv({ REDIS_URL: 'http://x', SESSION_TTL_HOURS: '0', REDIS_SENTINELS: 'a:1,b', REDIS_CLUSTER_NODES: 'c:2' });
  } catch (err) {
    expect((err as Error).message).toMatchInlineSnapshot(`
"Invalid Redis configuration:
  - REDIS_URL must start with redis:// or rediss:// (got a value starting "http://x")
  - REDIS_SENTINELS entry "b" must look like host:port
  - REDIS_SENTINELS is set but REDIS_SENTINEL_NAME (the monitored master name) is not
  - REDIS_SENTINELS and REDIS_CLUSTER_NODES are both set; use one of them
  - SESSION_TTL_HOURS="0" must be an integer between 1 and 8760"
`);
  }
});

test('the fallback store never holds more than its bound and forgets expired entries', () => {
  const map = new LruTtlMap<number>(3);
  for (let i = 0; i < 10; i++) map.set(`k${i}`, i, 1000, 0);
  expect(map.size).toBe(3);
  expect(map.get('k0', 1)).toBeUndefined();
  expect(map.get('k9', 1)).toBe(9);
  expect(map.get('k9', 1000)).toBeUndefined();
});

test('keys of one lock or one agent share a hash tag, whatever the id contains', () => {
  const keys = new RedisKeys('p:');
  const tagOf = (key: string) => /\{([^}]*)\}/.exec(key)![1];
  expect(tagOf(keys.lock('}x{y}'))).toBe(tagOf(keys.lockFence('}x{y}')));
  expect(tagOf(keys.lock('}x{y}'))).not.toBe('');
  expect(keys.session('abc')).toBe('p:session:{abc}');
  expect(tagOf(keys.rateLimit('a{1}', 'tool_call', 60_000, 60))).toBe(tagOf(keys.rateLimit('a{1}', 'tool_call', 3_600_000, 1000)));
});
