export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** How to reach Redis and how patient to be with it. */
export interface RedisConnectionConfig {
  /** REDIS_URL (`redis://[user:pass@]host:port/db`, `rediss://` for TLS). Credentials also apply to Sentinel/Cluster nodes. */
  url: string | undefined;
  /** REDIS_SENTINELS (`host:port,host:port`) with REDIS_SENTINEL_NAME: connect through Sentinel. */
  sentinels: RedisNodeAddress[];
  sentinelName: string | undefined;
  /** REDIS_CLUSTER_NODES (`host:port,...`): connect to a Redis Cluster. */
  clusterNodes: RedisNodeAddress[];
  /** REDIS_CONNECT_TIMEOUT_MS (default 2000). */
  connectTimeoutMs: number;
  /** REDIS_COMMAND_TIMEOUT_MS (default 500): a command slower than this counts as Redis being unreachable. */
  commandTimeoutMs: number;
  /** ioredis per-request retries while a connection is being replaced (default 1). */
  maxRetriesPerRequest: number;
  /** Reconnect backoff: 50 ms doubling, capped at this (default 2000). */
  maxReconnectDelayMs: number;
}

/**
 * Everything the cache layer needs besides its collaborators. Times in milliseconds. Parsed from the
 * environment with the rest of the configuration by `loadConfig` (src/config.ts), as `config.cache`.
 */
export interface CacheConfig {
  redis: RedisConnectionConfig;
  /** Namespace for every key (REDIS_KEY_PREFIX, default empty: keys are `session:{id}` etc.). */
  keyPrefix: string;
  /** SESSION_TTL_HOURS (default 24) in ms: sliding expiry of a binding. */
  sessionTtlMs: number;
  /** How much later than the cache the durable row expires; the row is re-extended at most once per this much activity (default min(1 h, TTL/4)). */
  sessionDurableSlackMs: number;
  /** How long a process in memory mode trusts a binding it read before it asks PostgreSQL again (default 30 s). */
  memorySessionRecheckMs: number;
  /** Agent metadata cache TTL (GOVDB_METADATA_TTL_SECONDS, default 300 s). */
  metadataTtlMs: number;
  /** Metadata TTL in memory mode, where other servers' invalidations cannot reach us (default 5 s). */
  memoryMetadataTtlMs: number;
  /** Entries per in-process fallback store (GOVDB_CACHE_MEMORY_MAX_ENTRIES, default 10000). */
  memoryMaxEntries: number;
  /** How often a process in memory mode checks whether Redis is back (default 1000). */
  probeIntervalMs: number;
}

/** Defaults for everything; a caller overrides what it needs (tests use short TTLs this way). */
export function defaultCacheConfig(overrides: Partial<Omit<CacheConfig, 'redis'>> & { redis?: Partial<RedisConnectionConfig> } = {}): CacheConfig {
  const sessionTtlMs = overrides.sessionTtlMs ?? 24 * 3_600_000;
  const { redis, ...rest } = overrides;
  return {
    keyPrefix: '',
    sessionTtlMs,
    sessionDurableSlackMs: Math.min(3_600_000, Math.ceil(sessionTtlMs / 4)),
    memorySessionRecheckMs: 30_000,
    metadataTtlMs: 300_000,
    memoryMetadataTtlMs: 5_000,
    memoryMaxEntries: 10_000,
    probeIntervalMs: 1_000,
    ...rest,
    redis: {
      url: undefined,
      sentinels: [],
      sentinelName: undefined,
      clusterNodes: [],
      connectTimeoutMs: 2_000,
      commandTimeoutMs: 500,
      maxRetriesPerRequest: 1,
      maxReconnectDelayMs: 2_000,
      ...redis,
    },
  };
}
