import { RedisLike } from './redisClient';

export type CacheMode = 'redis' | 'memory';

/** What the health check shows about the cache layer. */
export interface CacheHealth {
  mode: CacheMode;
  /** Why the layer is in memory mode (null in redis mode). */
  reason: string | null;
  /** When the current mode started (ISO 8601, UTC). */
  since: string;
  /** ioredis connection status (ready, reconnecting, …). */
  redisStatus: string;
  /** How many times the layer switched to memory mode since it started. */
  fallbacks: number;
}

/** Reply errors that mean "this Redis cannot serve now", as opposed to a bug in a command. */
const TRANSIENT_REPLY = /^(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|READONLY|BUSY|NOREPLICAS|MOVED|ASK)\b/;
const CONNECTION_MESSAGE =
  /Connection is closed|Stream isn't writeable|Command timed out|enableOfflineQueue|isn't ready|Failed to refresh slots cache|All nodes failed|Too many Cluster redirections|Reached the max retries|Connection (?:is )?(?:reset|refused)|socket (?:hang up|closed)|E(?:CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|HOSTUNREACH|NETUNREACH|AI_AGAIN)/;

/** True when an error says Redis is unreachable (fallback), false for errors that are bugs (rethrow). */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return TRANSIENT_REPLY.test(err.message);
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code) && CONNECTION_MESSAGE.test(code)) return true;
  return CONNECTION_MESSAGE.test(err.message);
}

export interface RedisAvailabilityOptions {
  probeIntervalMs: number;
  connectTimeoutMs: number;
}

/**
 * The circuit breaker of the layer. Closed (mode `redis`): calls go to Redis. The first error that
 * says Redis is unreachable opens it (mode `memory`): that call and every following one is served
 * by the in-process fallback, so no caller waits longer than one command timeout. While open, a
 * probe PINGs every `probeIntervalMs`; once Redis answers, the recovery hooks (write-back of what
 * was done in memory) run, and only then does the breaker close. No restart needed.
 */
export class RedisAvailability {
  private current: CacheMode = 'redis';
  private reason: string | null = null;
  private since = new Date();
  private fallbacks = 0;
  private recovering = false;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly recoveryHooks: Array<() => Promise<void>> = [];
  /** true when no Redis is configured: memory is the store, not a fallback (limits start fresh) */
  memoryIsPrimary = false;

  constructor(readonly client: RedisLike, private readonly options: RedisAvailabilityOptions) {
    // ioredis emits 'error' on every failed reconnect; the mode and reason already report it
    client.on('error', () => undefined);
  }

  get mode(): CacheMode {
    return this.current;
  }

  health(): CacheHealth {
    return { mode: this.current, reason: this.reason, since: this.since.toISOString(), redisStatus: this.client.status, fallbacks: this.fallbacks };
  }

  /** Registers work that must be done in Redis before it serves again (write-back, invalidations). */
  onRecovery(hook: () => Promise<void>): void {
    this.recoveryHooks.push(hook);
  }

  /** Connects; when Redis is unreachable, starts in memory mode (and keeps trying) instead of failing. */
  async start(): Promise<void> {
    try {
      await withTimeout(this.client.connect(), this.options.connectTimeoutMs, 'connect timed out');
      await this.client.ping();
    } catch (err) {
      this.enterMemory(`cannot connect to Redis: ${(err as Error).message}`);
    }
  }

  /** Memory mode for good (no Redis configured): no connection attempts, no probing. */
  disable(reason: string): void {
    this.memoryIsPrimary = true;
    this.enterMemory(reason);
    clearInterval(this.probe);
    this.probe = undefined;
    this.closed = true;
  }

  /**
   * Runs `viaRedis`; when Redis is unreachable (now or already known), runs `viaMemory` instead.
   * `viaRedis` must only talk to Redis (it may be abandoned half-way). Other errors propagate:
   * never fail-open.
   */
  run<T>(viaRedis: (client: RedisLike) => Promise<T>, viaMemory: () => T | Promise<T>): Promise<T> {
    if (this.current === 'memory' || this.closed) return this.memory(viaMemory);
    let pending: Promise<T>;
    try {
      pending = viaRedis(this.client);
    } catch (err) {
      pending = Promise.reject(err);
    }
    // a plain then, not an async wrapper: the hot path (every session lookup) saves its extra turns
    return pending.then(undefined, (err: unknown) => {
      if (!isRedisUnavailable(err)) throw err;
      this.enterMemory(`Redis unreachable: ${(err as Error).message}`);
      return viaMemory();
    });
  }

  private async memory<T>(viaMemory: () => T | Promise<T>): Promise<T> {
    return viaMemory();
  }

  /** Marks Redis unreachable (also used by components that notice it outside `run`). */
  enterMemory(reason: string): void {
    if (this.closed) return; // disabled or closed: already in memory mode for good
    if (this.current === 'redis') {
      this.current = 'memory';
      this.since = new Date();
      this.fallbacks++;
    }
    this.reason = reason;
    this.probe ??= setInterval(() => void this.tryRecover(), this.options.probeIntervalMs);
    this.probe.unref();
  }

  /** One probe; exposed so an operator command (or a test) can ask for a check now. */
  async tryRecover(): Promise<boolean> {
    if (this.current === 'redis' || this.recovering || this.closed) return this.current === 'redis';
    this.recovering = true;
    try {
      if (this.client.status !== 'ready') {
        this.reason = `Redis unreachable: connection ${this.client.status}`;
        return false;
      }
      await this.client.ping();
      for (const hook of this.recoveryHooks) await hook();
      // synchronous from the last hook's end to here: nothing done in memory can slip between
      this.current = 'redis';
      this.reason = null;
      this.since = new Date();
      clearInterval(this.probe);
      this.probe = undefined;
      return true;
    } catch (err) {
      if (!isRedisUnavailable(err)) this.reason = `write-back to Redis failed: ${(err as Error).message}`;
      else this.reason = `Redis unreachable: ${(err as Error).message}`;
      return false;
    } finally {
      this.recovering = false;
    }
  }

  /** Stops probing and disconnects. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.probe);
    this.probe = undefined;
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
