import type { Queryable } from '../db/pool';
import { CacheConfig } from './cacheConfig';
import { RedisKeys } from './keys';
import { McpSessionStore, RedisMcpSessionStore } from './mcpSessionStore';
import { CommitMarks } from './commitMarks';
import { AgentMetadataLoader, CachedMetadata, MetadataCache } from './metadataCache';
import type { PgPoolLike } from '../db/advisoryLock';
import { DEFAULT_RATE_LIMITS, GcraRateLimiter, RateLimiter, RateLimitRules } from './rateLimiter';
import { createRedisClient, duplicateRedisClient } from './redisClient';
import { CacheHealth, RedisAvailability } from './redisAvailability';
import { SessionCleanupJob } from './sessionCleanup';
import { CachedSessionStore, SessionStore } from './sessionStore';

export interface CacheLayerDeps<M> {
  /** PostgreSQL pool: durable session table and the cleanup job's advisory lock. */
  pool: PgPoolLike & Queryable;
  /** Reads an agent's metadata from PostgreSQL (the domain layer provides it). */
  loadAgentMetadata: AgentMetadataLoader<M>;
  rateLimits?: RateLimitRules;
  /** How often the expired-session cleanup runs (default 5 min); 0 disables the timer. */
  cleanupIntervalMs?: number;
  /** In-process metadata tier TTL in front of Redis (default 60 s; 0 disables it); see CachedMetadata. */
  localMetadataTtlMs?: number;
}

/** Everything the server needs from Redis, plus the health view. */
export interface CacheLayer<M> {
  sessions: SessionStore;
  metadata: MetadataCache<M> & { localTierActive(): boolean };
  rateLimits: RateLimiter;
  sessionCleanup: SessionCleanupJob;
  /** MCP session records shared by every server (src/cache/mcpSessionStore.ts) */
  mcpSessions: McpSessionStore;
  /** per caller, the WAL position of its last write (read-your-writes on replicas) */
  commitMarks: CommitMarks;
  health(): CacheHealth;
  close(): Promise<void>;
}

/**
 * Builds and starts the cache layer. Never fails because Redis is down: it starts in memory mode
 * and switches to Redis when it answers. With no Redis configured (no REDIS_URL, Sentinel or
 * Cluster nodes) it stays in memory mode and says so in health().
 */
export async function createCacheLayer<M>(config: CacheConfig, deps: CacheLayerDeps<M>): Promise<CacheLayer<M>> {
  const configured = Boolean(config.redis.url || config.redis.sentinels.length || config.redis.clusterNodes.length);
  const availability = new RedisAvailability(createRedisClient(config.redis), {
    probeIntervalMs: config.probeIntervalMs,
    connectTimeoutMs: config.redis.connectTimeoutMs,
  });
  const keys = new RedisKeys(config.keyPrefix);
  const sessions = new CachedSessionStore(deps.pool, availability, keys, {
    ttlMs: config.sessionTtlMs,
    durableSlackMs: config.sessionDurableSlackMs,
    memoryRecheckMs: config.memorySessionRecheckMs,
    memoryMaxEntries: config.memoryMaxEntries,
  });
  const metadata = new CachedMetadata(availability, keys, deps.loadAgentMetadata, {
    ttlMs: config.metadataTtlMs,
    memoryTtlMs: config.memoryMetadataTtlMs,
    memoryMaxEntries: config.memoryMaxEntries,
    localTtlMs: deps.localMetadataTtlMs,
  });
  const rateLimits = new GcraRateLimiter(availability, keys, deps.rateLimits ?? DEFAULT_RATE_LIMITS, config.memoryMaxEntries);
  const sessionCleanup = new SessionCleanupJob(deps.pool, sessions, deps.cleanupIntervalMs || 300_000);
  if (configured) {
    await availability.start();
    // the in-process metadata tier listens for invalidations on its own connection
    metadata.startLocalTier(duplicateRedisClient(availability.client, config.redis.commandTimeoutMs));
  }
  else availability.disable('Redis is not configured (set REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES)');
  if (deps.cleanupIntervalMs !== 0) sessionCleanup.start();
  return {
    sessions,
    metadata,
    rateLimits,
    sessionCleanup,
    mcpSessions: new RedisMcpSessionStore(availability, keys, config.sessionTtlMs, config.memoryMaxEntries),
    commitMarks: new CommitMarks(availability, keys, 300_000),
    health: () => availability.health(),
    async close() {
      metadata.close();
      await sessionCleanup.stop();
      await availability.close();
    },
  };
}
