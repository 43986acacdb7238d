/*
 * A separate process that contends for one lease lock (test/cache/locks.test.ts spawns two).
 * argv: redis url, key prefix, lock name, iterations. Prints one JSON line with what it saw.
 * Loads the TypeScript sources through @swc/core, as jest does.
 */
const fs = require('fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    module: { type: 'commonjs' },
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  });
  module._compile(code, filename);
};

const { default: Redis } = require('ioredis');
const { createRedisClient } = require('../../src/cache/redisClient.ts');
const { defaultCacheConfig } = require('../../src/cache/cacheConfig.ts');
const { RedisAvailability } = require('../../src/cache/redisAvailability.ts');
const { RedisKeys } = require('../../src/cache/keys.ts');
const { LeaseLockService } = require('../../src/cache/lockService.ts');

async function main() {
  const [url, prefix, name, iterations] = process.argv.slice(2);
  const config = defaultCacheConfig({ redis: { url } });
  const availability = new RedisAvailability(createRedisClient(config.redis), { probeIntervalMs: 100, connectTimeoutMs: 2000 });
  await availability.start();
  const locks = new LeaseLockService(availability, new RedisKeys(prefix), 100);
  const witness = new Redis(url);
  const fences = [];
  let maxInside = 0;
  let releases = 0;
  for (let i = 0; i < Number(iterations); i++) {
    const lease = await locks.acquire(name, { ttlMs: 5000, waitMs: 20000, retryDelayMs: 2 });
    if (!lease) throw new Error('could not acquire within 20 s');
    const inside = await witness.incr(`${prefix}inside`);
    maxInside = Math.max(maxInside, inside);
    fences.push(lease.fencingToken);
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    await witness.decr(`${prefix}inside`);
    if (await lease.release()) releases++;
  }
  process.stdout.write(JSON.stringify({ fences, maxInside, releases, mode: availability.mode }) + '\n');
  witness.disconnect();
  await availability.close();
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack) + '\n');
  process.exit(1);
});
