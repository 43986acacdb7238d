import { Cluster, Redis, RedisOptions } from 'ioredis';
import { RedisConnectionConfig } from './cacheConfig';
import { watchCommands } from './commandWatchdog';

/** A standalone/Sentinel connection or a Cluster: the layer uses only what both offer. */
export type RedisLike = Redis | Cluster;

function credentials(url: string | undefined): Pick<RedisOptions, 'username' | 'password' | 'db' | 'tls'> {
  if (!url) return {};
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Creates (without connecting: call `connect()`) a client that fails fast instead of queueing:
 * no offline queue, a command timeout, bounded per-request retries, and reconnects forever with a
 * capped exponential backoff, so the layer notices an outage at once and recovers by itself.
 *
 * The command timeout of a standalone or Sentinel connection is one watchdog interval per
 * connection (src/cache/commandWatchdog.ts), not ioredis's `commandTimeout`, which arms and clears
 * a timer on every command (a measurable share of a 0.05 ms GET). A Cluster keeps `commandTimeout`:
 * it holds commands outside any connection's queue while it waits to retry (CLUSTERDOWN, TRYAGAIN),
 * where a watchdog cannot see them.
 */
export function createRedisClient(config: RedisConnectionConfig): RedisLike {
  const reconnectDelay = (times: number) => Math.min(50 * 2 ** Math.min(times, 16), config.maxReconnectDelayMs);
  const common: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: config.maxRetriesPerRequest,
    connectionName: 'govdb',
  };
  if (config.clusterNodes.length) {
    const { db: _db, ...auth } = credentials(config.url);
    return new Cluster(config.clusterNodes, {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: config.connectTimeoutMs,
      redisOptions: { ...common, ...auth, commandTimeout: config.commandTimeoutMs },
    });
  }
  if (config.sentinels.length) {
    return watched(new Redis({ ...common, ...credentials(config.url), sentinels: config.sentinels, name: config.sentinelName, retryStrategy: reconnectDelay, sentinelRetryStrategy: reconnectDelay }), config.commandTimeoutMs);
  }
  const url = new URL(config.url ?? 'redis://127.0.0.1:6379');
  return watched(new Redis({ ...common, ...credentials(config.url), host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 6379, retryStrategy: reconnectDelay }), config.commandTimeoutMs);
}

/** A second connection with the same options and the same command timeout (e.g. a subscriber). */
export function duplicateRedisClient(client: RedisLike, commandTimeoutMs: number): RedisLike {
  // a Cluster's duplicate copies its redisOptions, commandTimeout included
  return client instanceof Cluster ? client.duplicate() : watched(client.duplicate(), commandTimeoutMs);
}

function watched(client: Redis, commandTimeoutMs: number): Redis {
  // the watchdog reads ioredis's command queue; should a future ioredis not have it where the
  // watchdog looks, the connection gets ioredis's own per-command timer instead of no timeout
  const queue = (client as unknown as { commandQueue?: { peekAt?: unknown } }).commandQueue;
  if (typeof queue?.peekAt !== 'function') {
    client.options.commandTimeout = commandTimeoutMs;
    return client;
  }
  watchCommands(client, commandTimeoutMs);
  return client;
}
