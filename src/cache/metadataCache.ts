import { GovdbError } from '../errors';
import { RedisKeys } from './keys';
import { LruTtlMap } from './lruTtlMap';
import { LuaScript } from './luaScript';
import { RedisAvailability } from './redisAvailability';

/** Loads an agent's metadata from the source of truth (the domain layer); null when unknown. */
export type AgentMetadataLoader<T> = (agentId: string) => Promise<T | null>;

export interface MetadataCache<T> {
  /**
   * Cached metadata, loading it on a miss; null for an unknown agent (never cached). For display
   * only (get_agent and the like): never base a permission decision on it, those read in the
   * write's own transaction.
   */
  get(agentId: string): Promise<T | null>;
  /** Call after every write that changes the agent's metadata; every server sees it at once. */
  invalidateAgent(agentId: string): Promise<void>;
}

export interface MetadataCacheOptions {
  ttlMs: number;
  memoryTtlMs: number;
  memoryMaxEntries: number;
  /**
   * In-process tier in front of Redis (Redis mode): how long a value may be served from this
   * process's memory. Invalidations reach it through Redis pub/sub at once; the TTL only bounds a
   * value whose invalidation message was lost while the subscription was down (it is cleared then
   * too). 0 disables the tier. Default 60 s.
   */
  localTtlMs?: number;
  /** Entries of the in-process tier (default memoryMaxEntries). */
  localMaxEntries?: number;
}

/** The subscriber side of pub/sub that the in-process tier needs (a second Redis connection). */
export interface InvalidationSubscriber {
  connect(): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close' | 'end' | 'reconnecting', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  disconnect(): void;
}

const READ = new LuaScript(`return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}`, 2);
/** Stores the loaded value only if no invalidation happened since the version was read. */
const STORE_IF_VERSION = new LuaScript(
  `if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
   redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
   return 1`, 2);
/** ARGV: version TTL, channel, agent id. The publish tells every server's in-process tier. */
const INVALIDATE = new LuaScript(
  `redis.call('INCR', KEYS[2])
   redis.call('PEXPIRE', KEYS[2], ARGV[1])
   redis.call('DEL', KEYS[1])
   redis.call('PUBLISH', ARGV[2], ARGV[3])
   return 1`, 2);

/**
 * Read-through cache of agent metadata, shared by every server through Redis: `agentmeta:{agent}`
 * (JSON, TTL) next to a version counter `agentmeta:{agent}:version`. invalidateAgent bumps the
 * version and deletes the value in one script; a reader stores what it loaded only if the version
 * is still the one it saw before loading, so a slow reader cannot put back a value that a writer on
 * another server has just invalidated. Values must be JSON data.
 *
 * In front of Redis, an in-process tier (Redis mode, with a subscriber connection): a hit costs a
 * map look-up, no round trip. Every invalidation is published on `agentmeta:invalidations` by the
 * same script that bumps the version, and every server drops the agent from its tier on the
 * message. While the subscription is down (reconnecting) the tier is cleared and bypassed, so a
 * lost message cannot leave a stale value; a value read from Redis is kept only if no invalidation
 * arrived while it was being read.
 *
 * In memory mode each process caches for `memoryTtlMs` only (other servers' invalidations cannot
 * reach it); invalidations made meanwhile are replayed into Redis before it serves again.
 */
export class CachedMetadata<T> implements MetadataCache<T> {
  private readonly memory: LruTtlMap<T>;
  private readonly local: LruTtlMap<T>;
  private readonly pendingInvalidations = new Set<string>();
  /** true while the subscriber is subscribed: only then may the in-process tier serve */
  private subscribed = false;
  /** bumped by every invalidation seen (message, own call, subscription loss) */
  private epoch = 0;
  private subscriber: InvalidationSubscriber | null = null;

  constructor(
    private readonly redis: RedisAvailability,
    private readonly keys: RedisKeys,
    private readonly load: AgentMetadataLoader<T>,
    private readonly options: MetadataCacheOptions,
  ) {
    this.memory = new LruTtlMap(options.memoryMaxEntries);
    this.local = new LruTtlMap(options.localMaxEntries ?? options.memoryMaxEntries);
    redis.onRecovery(() => this.replayInvalidations());
  }

  /**
   * Starts the in-process tier on a dedicated subscriber connection (not connected yet; e.g. a
   * `duplicate()` of the Redis client). Without it every read goes to Redis.
   */
  startLocalTier(subscriber: InvalidationSubscriber): void {
    if ((this.options.localTtlMs ?? 60_000) <= 0 || this.subscriber) return;
    this.subscriber = subscriber;
    const channel = this.keys.agentMetadataInvalidations();
    const lost = () => {
      this.subscribed = false;
      this.epoch++;
      this.local.clear();
    };
    subscriber.on('message', (ch, agentId) => {
      if (ch !== channel) return;
      this.epoch++;
      this.local.delete(agentId);
    });
    subscriber.on('ready', () => {
      subscriber.subscribe(channel).then(() => {
        this.local.clear();
        this.subscribed = true;
      }, lost);
    });
    subscriber.on('close', lost);
    subscriber.on('end', lost);
    subscriber.on('reconnecting', lost);
    subscriber.on('error', () => undefined); // reported by the main connection's availability probe
    subscriber.connect().catch(lost);
  }

  /** Stops the in-process tier (closes its subscriber connection). */
  close(): void {
    this.subscribed = false;
    this.local.clear();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  /** Whether reads can be served from this process's memory now (Redis mode, subscribed). */
  localTierActive(): boolean {
    return this.subscribed && this.redis.mode === 'redis';
  }

  async get(agentId: string): Promise<T | null> {
    if (this.subscribed && this.redis.mode === 'redis') {
      const hit = this.local.get(agentId);
      if (hit !== undefined) return hit;
    }
    const epoch = this.epoch;
    const value = await this.getShared(agentId);
    if (value !== null && this.subscribed && this.epoch === epoch && this.redis.mode === 'redis') {
      this.local.set(agentId, value, this.options.localTtlMs ?? 60_000);
    }
    return value;
  }

  private async getShared(agentId: string): Promise<T | null> {
    const valueKey = this.keys.agentMetadata(agentId);
    const versionKey = this.keys.agentMetadataVersion(agentId);
    const cached = await this.redis.run<{ hit: true; value: T } | { hit: false; version: string | undefined }>(
      async (r) => {
        const [value, version] = (await READ.run(r, [valueKey, versionKey], [])) as [string | null, string | null];
        return value !== null ? { hit: true, value: JSON.parse(value) as T } : { hit: false, version: version ?? '0' };
      },
      () => {
        const value = this.memory.get(agentId);
        return value !== undefined ? { hit: true, value } : { hit: false, version: undefined };
      },
    );
    if (cached.hit) return cached.value;
    const value = await this.load(agentId);
    if (value === null) return null;
    const json = JSON.stringify(value);
    if (json === undefined) throw new GovdbError('INTERNAL', `Metadata of agent "${agentId}" is not JSON data`);
    if (cached.version === undefined) this.memory.set(agentId, value, this.options.memoryTtlMs);
    else {
      await this.redis.run(
        (r) => STORE_IF_VERSION.run(r, [valueKey, versionKey], [cached.version!, json, this.options.ttlMs]),
        () => this.memory.set(agentId, value, this.options.memoryTtlMs),
      );
    }
    return value;
  }

  async invalidateAgent(agentId: string): Promise<void> {
    this.memory.delete(agentId);
    this.epoch++;
    this.local.delete(agentId);
    await this.redis.run(
      (r) => INVALIDATE.run(r, [this.keys.agentMetadata(agentId), this.keys.agentMetadataVersion(agentId)], [this.versionTtlMs(), this.keys.agentMetadataInvalidations(), agentId]),
      () => this.queueInvalidation(agentId),
    );
  }

  private queueInvalidation(agentId: string): void {
    this.pendingInvalidations.add(agentId);
    // bounded: past the bound, drop the oldest (its Redis value still expires within ttlMs)
    if (this.pendingInvalidations.size > this.options.memoryMaxEntries) {
      this.pendingInvalidations.delete(this.pendingInvalidations.values().next().value as string);
    }
  }

  private async replayInvalidations(): Promise<void> {
    while (this.pendingInvalidations.size) {
      const agentId = this.pendingInvalidations.values().next().value as string;
      await INVALIDATE.run(this.redis.client, [this.keys.agentMetadata(agentId), this.keys.agentMetadataVersion(agentId)], [this.versionTtlMs(), this.keys.agentMetadataInvalidations(), agentId]);
      this.pendingInvalidations.delete(agentId);
    }
    this.memory.clear();
  }

  /** The version must outlive any value stored under an older one. */
  private versionTtlMs(): number {
    return this.options.ttlMs + 86_400_000;
  }
}
