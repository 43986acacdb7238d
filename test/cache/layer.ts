import { randomBytes } from 'crypto';
import { CacheConfig, defaultCacheConfig } from '../../src/cache/cacheConfig';
import { CacheLayer, createCacheLayer } from '../../src/cache/cacheLayer';
import { TestDatabase } from '../helpers/db';

export interface AgentMeta {
  id: string;
  label: string | null;
}

/** Test configuration: a unique key prefix per call, short TTLs and timeouts, fast probing. */
export function testConfig(redis: Partial<CacheConfig['redis']>, overrides: Partial<Omit<CacheConfig, 'redis'>> = {}): CacheConfig {
  return defaultCacheConfig({
    keyPrefix: `t${randomBytes(4).toString('hex')}:`,
    sessionTtlMs: 1000,
    sessionDurableSlackMs: 250,
    memorySessionRecheckMs: 200,
    metadataTtlMs: 60_000,
    memoryMetadataTtlMs: 200,
    probeIntervalMs: 50,
    ...overrides,
    // generous command timeout: a slow CI machine must not look like an outage (tests of outages kill or freeze the server)
    redis: { connectTimeoutMs: 1000, commandTimeoutMs: 1000, maxReconnectDelayMs: 100, ...redis },
  });
}

/** A cache layer over the test database; metadata comes from core.agents. */
export function testLayer(db: TestDatabase, config: CacheConfig): Promise<CacheLayer<AgentMeta>> {
  return createCacheLayer<AgentMeta>(config, {
    pool: db.pool,
    cleanupIntervalMs: 0,
    loadAgentMetadata: async (id) => {
      const { rows } = await db.pool.query<AgentMeta>('select id, label from core.agents where id = $1', [id]);
      return rows[0] ?? null;
    },
  });
}

export async function insertAgents(db: TestDatabase, ...ids: string[]): Promise<void> {
  await db.pool.query('insert into core.agents (id) select unnest($1::text[])', [ids]);
}
