/*
 * A separate server process for the metadata tier test (test/cache/metadataTier.test.ts): its own
 * cache layer over the same Redis and PostgreSQL. Reads commands on stdin, one per line:
 *   get <agentId>     prints {"label": ..., "local": <in-process tier active>}
 *   quit
 * argv: redis url, key prefix, database url. Loads the TypeScript sources through @swc/core, as jest does.
 */
const fs = require('fs');
const readline = require('readline');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    module: { type: 'commonjs' },
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  });
  module._compile(code, filename);
};

const { Pool } = require('pg');
const { defaultCacheConfig } = require('../../src/cache/cacheConfig.ts');
const { createCacheLayer } = require('../../src/cache/cacheLayer.ts');

async function main() {
  const [url, prefix, databaseUrl] = process.argv.slice(2);
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const config = defaultCacheConfig({ keyPrefix: prefix, probeIntervalMs: 50, metadataTtlMs: 60_000, redis: { url, connectTimeoutMs: 1000, commandTimeoutMs: 1000, maxReconnectDelayMs: 100 } });
  const cache = await createCacheLayer(config, {
    pool,
    cleanupIntervalMs: 0,
    loadAgentMetadata: async (id) => (await pool.query('select id, label from core.agents where id = $1', [id])).rows[0] ?? null,
  });
  for (let i = 0; i < 200 && !cache.metadata.localTierActive(); i++) await new Promise((r) => setTimeout(r, 10));
  process.stdout.write(JSON.stringify({ ready: true, local: cache.metadata.localTierActive() }) + '\n');
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [cmd, id] = line.trim().split(' ');
    if (cmd === 'quit') break;
    if (cmd === 'get') {
      const value = await cache.metadata.get(id);
      process.stdout.write(JSON.stringify({ label: value ? value.label : null, local: cache.metadata.localTierActive() }) + '\n');
    }
  }
  lines.close();
  await cache.close();
  await pool.end();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack) + '\n');
  process.exit(1);
});
