import { randomBytes } from 'crypto';
import { GovdbError } from '../errors';
import { RedisKeys } from './keys';
import { LruTtlMap } from './lruTtlMap';
import { LuaScript } from './luaScript';
import { CacheMode, RedisAvailability } from './redisAvailability';

/** A held lease. `signal` aborts when the lease ends: released, or lost (expired, taken over, Redis went away). */
export interface Lease {
  readonly name: string;
  readonly token: string;
  /** Strictly greater than the fencing number of every earlier acquisition of this lock. */
  readonly fencingToken: number;
  readonly backend: CacheMode;
  readonly signal: AbortSignal;
  /** Extends the lease to `ttlMs` from now; false when it is no longer held. */
  extend(ttlMs?: number): Promise<boolean>;
  /** Releases the lease; false when it was no longer held (expired or taken over). */
  release(): Promise<boolean>;
}

export interface AcquireOptions {
  ttlMs: number;
  /** How long to keep trying (default 0: one attempt). */
  waitMs?: number;
  retryDelayMs?: number;
}

export interface LockService {
  tryAcquire(name: string, ttlMs: number): Promise<Lease | null>;
  acquire(name: string, options: AcquireOptions): Promise<Lease | null>;
  /** Holds the lock while fn runs, extending it every ttl/3 (watchdog); throws CONFLICT when not acquired. */
  withLock<T>(name: string, options: AcquireOptions, fn: (lease: Lease) => Promise<T>): Promise<T>;
  /** Compare-and-delete by token: false unless `token` holds the lock now. */
  release(name: string, token: string): Promise<boolean>;
  /** Compare-and-extend by token: false unless `token` holds the lock now. */
  extend(name: string, token: string, ttlMs: number): Promise<boolean>;
}

/** KEYS: lock, fence. ARGV: token, ttl ms, lowest acceptable fence - 1. Returns the fence or nil. */
const ACQUIRE = new LuaScript(
  `if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
   local fence = redis.call('INCR', KEYS[2])
   local floor = tonumber(ARGV[3])
   if fence <= floor then
     fence = floor + 1
     redis.call('SET', KEYS[2], fence)
   end
   return fence`, 2);
const RELEASE = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
   return 0`, 1);
const EXTEND = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
   return 0`, 1);

interface LocalLease {
  token: string;
  backend: CacheMode;
  expiresAt: number;
  controller: AbortController;
}

/**
 * Lease locks for coordination between servers (who runs a job, who owns a connection): a Redis key
 * `lock:{name}` holding a random token with a TTL, released and extended only by compare-and-act
 * Lua scripts, and a fencing counter `lock:{name}:fence` (same hash tag) incremented on every
 * acquisition. A lease can expire while its holder still works (GC pause, partition), so anything
 * that writes PostgreSQL data must either check the fencing number or use a PostgreSQL advisory lock
 * (pgAdvisoryLock.ts) instead.
 *
 * In memory mode locks are per-process (they exclude other callers in this process only), fencing
 * continues from the highest number this process has seen, and memory leases are aborted when Redis
 * returns.
 */
export class LeaseLockService implements LockService {
  /** Leases this process holds (both backends): memory-mode acquisitions must respect Redis ones too. */
  private readonly held = new Map<string, LocalLease>();
  private readonly fences: LruTtlMap<number>;

  constructor(private readonly redis: RedisAvailability, private readonly keys: RedisKeys, private readonly maxLocks: number) {
    this.fences = new LruTtlMap(maxLocks);
    redis.onRecovery(async () => {
      for (const [name, lease] of this.held) {
        if (lease.backend === 'memory') {
          this.held.delete(name);
          lease.controller.abort(new GovdbError('INVALID_STATE', `Lease "${name}" was a per-process lease taken while Redis was down; Redis is back`));
        }
      }
    });
  }

  async tryAcquire(name: string, ttlMs: number): Promise<Lease | null> {
    if (this.held.size >= this.maxLocks) this.purgeExpired();
    const token = randomBytes(16).toString('hex');
    const floor = this.fences.get(name) ?? 0;
    const acquired = await this.redis.run<{ fence: number; backend: CacheMode } | null>(
      async (r) => {
        const fence = await ACQUIRE.run(r, [this.keys.lock(name), this.keys.lockFence(name)], [token, ttlMs, floor]);
        return fence === null ? null : { fence: Number(fence), backend: 'redis' as const };
      },
      () => {
        const current = this.held.get(name);
        if (current && current.expiresAt > Date.now()) return null;
        if (this.held.size >= this.maxLocks) {
          throw new GovdbError('UNAVAILABLE', `This process already holds ${this.held.size} leases (the in-memory bound) while Redis is down`, {
            hint: 'Release leases or wait for Redis to return.',
          });
        }
        return { fence: floor + 1, backend: 'memory' as const };
      },
    );
    if (!acquired) return null;
    this.fences.set(name, acquired.fence, 7 * 86_400_000);
    const local: LocalLease = { token, backend: acquired.backend, expiresAt: Date.now() + ttlMs, controller: new AbortController() };
    this.held.set(name, local);
    return this.lease(name, local, acquired.fence, ttlMs);
  }

  async acquire(name: string, options: AcquireOptions): Promise<Lease | null> {
    const deadline = Date.now() + (options.waitMs ?? 0);
    for (;;) {
      const lease = await this.tryAcquire(name, options.ttlMs);
      if (lease || Date.now() >= deadline) return lease;
      const delay = (options.retryDelayMs ?? 50) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))));
    }
  }

  async withLock<T>(name: string, options: AcquireOptions, fn: (lease: Lease) => Promise<T>): Promise<T> {
    const lease = await this.acquire(name, options);
    if (!lease) {
      throw new GovdbError('CONFLICT', `Lock "${name}" is held by someone else (waited ${options.waitMs ?? 0} ms)`, { hint: 'Retry later.' });
    }
    const watchdog = setInterval(() => {
      lease.extend(options.ttlMs).catch(() => false);
    }, Math.max(10, Math.floor(options.ttlMs / 3)));
    watchdog.unref();
    try {
      return await fn(lease);
    } finally {
      clearInterval(watchdog);
      await lease.release().catch(() => false);
    }
  }

  async release(name: string, token: string): Promise<boolean> {
    const local = this.held.get(name);
    const mine = local?.token === token ? local : undefined;
    let released: boolean;
    if (mine?.backend === 'memory') released = mine.expiresAt > Date.now() && !mine.controller.signal.aborted;
    // a Redis lease cannot be released while Redis is unreachable; it expires by itself
    else released = await this.redis.run(async (r) => (await RELEASE.run(r, [this.keys.lock(name)], [token])) === 1, () => false);
    if (mine) {
      if (this.held.get(name) === mine) this.held.delete(name);
      mine.controller.abort(new GovdbError('INVALID_STATE', released ? `Lease "${name}" was released` : `Lease "${name}" was lost before its release`));
    }
    return released;
  }

  async extend(name: string, token: string, ttlMs: number): Promise<boolean> {
    const local = this.held.get(name);
    const mine = local?.token === token ? local : undefined;
    let extended: boolean;
    if (mine?.backend === 'memory') extended = mine.expiresAt > Date.now() && !mine.controller.signal.aborted;
    else extended = await this.redis.run(async (r) => (await EXTEND.run(r, [this.keys.lock(name)], [token, ttlMs])) === 1, () => false);
    if (mine) {
      if (extended) mine.expiresAt = Date.now() + ttlMs;
      else {
        if (this.held.get(name) === mine) this.held.delete(name);
        mine.controller.abort(new GovdbError('INVALID_STATE', `Lease "${name}" was lost (expired, taken over, or Redis unreachable)`));
      }
    }
    return extended;
  }

  private lease(name: string, local: LocalLease, fencingToken: number, ttlMs: number): Lease {
    return {
      name,
      token: local.token,
      fencingToken,
      backend: local.backend,
      signal: local.controller.signal,
      extend: (newTtlMs = ttlMs) => this.extend(name, local.token, newTtlMs),
      release: () => this.release(name, local.token),
    };
  }

  private purgeExpired(): void {
    const now = Date.now();
    for (const [name, lease] of this.held) if (lease.expiresAt <= now) this.held.delete(name);
  }
}
