import { GovdbError } from '../errors';

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

/** Everything the cache layer needs besides its collaborators. Times in milliseconds. */
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

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}=${JSON.stringify(raw)} must be an integer between ${min} and ${max}`);
    return fallback;
  }
  return value;
}

function nodeList(env: NodeJS.ProcessEnv, name: string, problems: string[]): RedisNodeAddress[] {
  const raw = env[name];
  if (!raw) return [];
  const nodes: RedisNodeAddress[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^(.+):(\d{1,5})$/.exec(part);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) problems.push(`${name} entry ${JSON.stringify(part)} must look like host:port`);
    else nodes.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return nodes;
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

/** Reads the cache configuration from the environment; collects every problem before throwing. */
export function cacheConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CacheConfig {
  const problems: string[] = [];
  const url = env.REDIS_URL || undefined;
  if (url && !/^rediss?:\/\//.test(url)) problems.push(`REDIS_URL must start with redis:// or rediss:// (got a value starting ${JSON.stringify(url.slice(0, 8))})`);
  const sentinels = nodeList(env, 'REDIS_SENTINELS', problems);
  const sentinelName = env.REDIS_SENTINEL_NAME || undefined;
  if (sentinels.length && !sentinelName) problems.push('REDIS_SENTINELS is set but REDIS_SENTINEL_NAME (the monitored master name) is not');
  const clusterNodes = nodeList(env, 'REDIS_CLUSTER_NODES', problems);
  if (sentinels.length && clusterNodes.length) problems.push('REDIS_SENTINELS and REDIS_CLUSTER_NODES are both set; use one of them');
  const config = defaultCacheConfig({
    keyPrefix: env.REDIS_KEY_PREFIX ?? '',
    sessionTtlMs: intVar(env, 'SESSION_TTL_HOURS', 24, 1, 24 * 365, problems) * 3_600_000,
    metadataTtlMs: intVar(env, 'GOVDB_METADATA_TTL_SECONDS', 300, 1, 86_400, problems) * 1000,
    memoryMaxEntries: intVar(env, 'GOVDB_CACHE_MEMORY_MAX_ENTRIES', 10_000, 100, 10_000_000, problems),
    redis: {
      url,
      sentinels,
      sentinelName,
      clusterNodes,
      connectTimeoutMs: intVar(env, 'REDIS_CONNECT_TIMEOUT_MS', 2_000, 10, 60_000, problems),
      commandTimeoutMs: intVar(env, 'REDIS_COMMAND_TIMEOUT_MS', 500, 10, 60_000, problems),
    },
  });
  if (problems.length) throw new GovdbError('CONFIG_INVALID', `Invalid Redis configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
